package parse

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// captured reads a testdata file written by a live run and drops its "#" header lines (what
// produced it), which are not part of the program's output.
func captured(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(string(b), "\n") {
		if !strings.HasPrefix(l, "#") {
			out.WriteString(l)
		}
	}
	return out.Bytes()
}

const proxyStatusFile = "istioctl-1.31.0-dev.b01690e6db7d-proxy-status.txt"

func TestParseProxyStatusCaptured(t *testing.T) {
	rows, types, err := ParseProxyStatus(bytes.NewReader(captured(t, proxyStatusFile)))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(types, ","); got != "CDS,ECDS,EDS,LDS,RDS,SDS" {
		t.Errorf("types %s", got)
	}
	if len(rows) != 1 {
		t.Fatalf("%d rows, want the egress gateway (the capture is taken after the run): %+v", len(rows), rows)
	}
	gw := rows[0]
	if !strings.HasPrefix(gw.Name, "istio-egressgateway-") || !strings.HasSuffix(gw.Name, ".istio-system") ||
		gw.Cluster != "Kubernetes" || gw.Version != "1.31.0-dev.b01690e6db7d" || !strings.HasPrefix(gw.Istiod, "istiod-") {
		t.Errorf("gateway row %+v", gw)
	}
	if gw.Types["SDS"] != "SYNCED" || gw.Types["ECDS"] != "IGNORED" || gw.Types["CDS"] != "SYNCED" {
		t.Errorf("states: %v", gw.Types)
	}
	for _, r := range rows {
		if n := r.NACKed(types); len(n) != 0 {
			t.Errorf("%s NACKed %v in a healthy capture", r.Name, n)
		}
	}
}

// A NACK shows as ERROR (istioctl prints xds ConfigStatus ERROR with its age): the capture
// with two cells changed, since a healthy run has none.
func TestProxyStatusNACK(t *testing.T) {
	text := string(captured(t, proxyStatusFile))
	lines := strings.Split(text, "\n")
	lines[1] = strings.Replace(lines[1], "SYNCED (", "ERROR (", 2) // CDS and EDS of the gateway
	rows, types, err := ParseProxyStatus(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0].NACKed(types), ","); got != "CDS,EDS" {
		t.Errorf("NACKed %q", got)
	}
	rows, types, err = ParseProxyStatus(strings.NewReader(text))
	if err != nil || len(rows[0].NACKed(types)) != 0 || len(rows[0].Stale(types)) != 0 {
		t.Errorf("the healthy capture NACKed %v, has stale %v (%v)", rows[0].NACKed(types), rows[0].Stale(types), err)
	}
	// A push istiod sent and the proxy has not acknowledged yet shows as STALE.
	lines[1] = strings.Replace(strings.Split(text, "\n")[1], "SYNCED (", "STALE (", 4)
	rows, types, err = ParseProxyStatus(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0].Stale(types), ","); got != "CDS,EDS,LDS,RDS" || len(rows[0].NACKed(types)) != 0 {
		t.Errorf("stale %q, NACKed %v", got, rows[0].NACKed(types))
	}
}

func TestParseProxyStatusRejects(t *testing.T) {
	text := string(captured(t, proxyStatusFile))
	for name, in := range map[string]string{
		"empty":              "",
		"non-verbose header": "NAME     CLUSTER     ISTIOD     VERSION     SUBSCRIBED TYPES\n",
		"short row":          strings.SplitAfter(text, "\n")[0] + "a     b\n",
		"garbage":            "no table here\n",
	} {
		if _, _, err := ParseProxyStatus(strings.NewReader(in)); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseServerInfoCaptured(t *testing.T) {
	s, err := ParseServerInfo(captured(t, "envoy-1.39.3-server_info.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.State != "LIVE" || s.Release() != "1.39.3" || !strings.HasSuffix(s.Version, "/1.39.3/Clean/RELEASE/BoringSSL") {
		t.Errorf("%+v release %q", s, s.Release())
	}
	for _, bad := range []string{"", "{}", `{"version":"x"}`, "[1]"} {
		if _, err := ParseServerInfo([]byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func FuzzParseProxyStatus(f *testing.F) {
	f.Add(captured(f, proxyStatusFile))
	f.Add([]byte("NAME  CLUSTER  CDS  ISTIOD  VERSION\na  b  ERROR (1s)  c  d\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, types, err := ParseProxyStatus(bytes.NewReader(b))
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Errorf("error message %d bytes long", len(err.Error()))
			}
			return
		}
		for _, r := range rows {
			if len(r.Types) > len(types) {
				t.Errorf("row %q has %d types, the header %d", r.Name, len(r.Types), len(types))
			}
			for _, s := range r.Types {
				if strings.Contains(s, " (") {
					t.Errorf("state %q keeps its age", s)
				}
			}
		}
	})
}

func FuzzParseServerInfo(f *testing.F) {
	f.Add(captured(f, "envoy-1.39.3-server_info.json"))
	f.Add([]byte(`{"version":"a/1.2.3/x","state":"LIVE"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseServerInfo(b)
		if err != nil {
			return
		}
		if s.Version == "" || s.State == "" {
			t.Errorf("accepted %+v", s)
		}
		if r := s.Release(); strings.Contains(r, "/") {
			t.Errorf("release %q", r)
		}
	})
}
