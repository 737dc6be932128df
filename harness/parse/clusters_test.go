package parse

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestParseClustersTestdata(t *testing.T) {
	cs, err := ParseClusters(bytes.NewReader(readTestdata(t, "envoy-clusters.txt")))
	if err != nil {
		t.Fatalf("ParseClusters: %v", err)
	}
	wantNames := []string{
		"outbound|443||www.wikipedia.org",
		"outbound|80||httpbin.egress.test",
		"BlackHoleCluster",
		"outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local",
		"xds-grpc",
	}
	if len(cs) != len(wantNames) {
		t.Errorf("got %d clusters, want %d: %v", len(cs), len(wantNames), keys(cs))
	}
	for _, n := range wantNames {
		if c := cs[n]; c == nil || c.Name != n {
			t.Errorf("cluster %q missing or misnamed", n)
		}
	}

	// The docs' line: outbound|443||www.wikipedia.org::208.80.154.224:443::cx_total::2,
	// plus a second resolved IP with cx_total 1.
	wiki := cs["outbound|443||www.wikipedia.org"]
	if got := wiki.Hosts["208.80.154.224:443"]["cx_total"]; got != "2" {
		t.Errorf("wikipedia 208.80.154.224:443 cx_total = %q, want 2", got)
	}
	if got, ok := cs.HostCounter("outbound|443||www.wikipedia.org", "cx_total"); !ok || got != 3 {
		t.Errorf("HostCounter(wikipedia, cx_total) = %d, %v; want 3, true", got, ok)
	}
	if got := wiki.Attrs["default_priority::max_connections"]; got != "4294967295" {
		t.Errorf("Attrs[default_priority::max_connections] = %q", got)
	}
	if got := wiki.Attrs["high_priority::max_retries"]; got != "3" {
		t.Errorf("Attrs[high_priority::max_retries] = %q", got)
	}
	if got := wiki.Attrs["observability_name"]; got != "outbound|443||www.wikipedia.org" {
		t.Errorf("Attrs[observability_name] = %q", got)
	}
	if got := wiki.Attrs["added_via_api"]; got != "true" {
		t.Errorf("Attrs[added_via_api] = %q", got)
	}
	h := wiki.Hosts["208.80.153.224:443"]
	if h["hostname"] != "www.wikipedia.org" || h["health_flags"] != "healthy" || h["region"] != "" || h["success_rate"] != "-1" {
		t.Errorf("host attrs = %v", h)
	}
	if _, ok := h["region"]; !ok {
		t.Error(`empty "region::" value not recorded`)
	}

	// IPv6 hosts: "::" inside the address must not split it.
	hb := cs["outbound|80||httpbin.egress.test"]
	if len(hb.Hosts) != 2 {
		t.Errorf("httpbin hosts = %v, want [2001:db8::10]:80 and [::ffff:172.18.0.5]:80", keys(hb.Hosts))
	}
	if got := hb.Hosts["[2001:db8::10]:80"]["rq_total"]; got != "8" {
		t.Errorf("[2001:db8::10]:80 rq_total = %q, want 8", got)
	}
	if got := hb.Hosts["[::ffff:172.18.0.5]:80"]["hostname"]; got != "httpbin.egress.test" {
		t.Errorf("[::ffff:172.18.0.5]:80 hostname = %q", got)
	}
	if got, ok := cs.HostCounter("outbound|80||httpbin.egress.test", "rq_total"); !ok || got != 12 {
		t.Errorf("HostCounter(httpbin, rq_total) = %d, %v; want 12, true", got, ok)
	}

	gw := cs["outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local"]
	if got := gw.Attrs["outlier::success_rate_average"]; got != "-1" {
		t.Errorf("outlier attr = %q", got)
	}
	if got := gw.Attrs["eds_service_name"]; got != "outbound|80|cnn|istio-egressgateway.istio-system.svc.cluster.local" {
		t.Errorf("eds_service_name = %q", got)
	}

	// Pipe address of Istio's xds-grpc cluster.
	if got := cs["xds-grpc"].Hosts["./etc/istio/proxy/XDS"]["cx_active"]; got != "1" {
		t.Errorf("xds-grpc pipe host cx_active = %q, want 1; hosts %v", got, keys(cs["xds-grpc"].Hosts))
	}

	// A cluster with no hosts is present with a zero sum; an absent one is not ok.
	if got, ok := cs.HostCounter("BlackHoleCluster", "cx_total"); !ok || got != 0 {
		t.Errorf("HostCounter(BlackHoleCluster) = %d, %v; want 0, true", got, ok)
	}
	if _, ok := cs.HostCounter("outbound|443||absent.example", "cx_total"); ok {
		t.Error("HostCounter on an absent cluster reported ok")
	}
	// A non-numeric attribute is not summed.
	if got, ok := cs.HostCounter("outbound|443||www.wikipedia.org", "hostname"); !ok || got != 0 {
		t.Errorf("HostCounter(hostname) = %d, %v; want 0, true", got, ok)
	}
}

func TestParseClustersSplitting(t *testing.T) {
	tests := []struct {
		line, cluster, host, key, value string
	}{
		{"c::[2001:db8::1]:443::cx_total::5", "c", "[2001:db8::1]:443", "cx_total", "5"},
		{"c::[::1]:15000::cx_total::1", "c", "[::1]:15000", "cx_total", "1"},
		{"c::[fe80::1%eth0]:443::cx_total::1", "c", "[fe80::1%eth0]:443", "cx_total", "1"},
		{"outbound|443||[2001:db8::9]::observability_name::x", "outbound|443||[2001:db8::9]", "", "observability_name", "x"},
		{"outbound|443||[2001:db8::9]::[2001:db8::9]:443::cx_total::4", "outbound|443||[2001:db8::9]", "[2001:db8::9]:443", "cx_total", "4"},
		{"a::b::10.0.0.1:80::rq_total::9", "a::b", "10.0.0.1:80", "rq_total", "9"},
		{"c::10.0.0.1:80::hostname::weird::name", "c", "10.0.0.1:80", "hostname", "weird::name"},
		{"c::@abstract::cx_total::1", "c", "@abstract", "cx_total", "1"},
		{"c::envoy://connect_originate/10.0.0.1:80::cx_total::1", "c", "envoy://connect_originate/10.0.0.1:80", "cx_total", "1"},
		{"c::observability_name::", "c", "", "observability_name", ""},
		{"c::future_attribute::v", "c", "", "future_attribute", "v"},
		{"c::10.0.0.1:80::cx_total::3\r", "c", "10.0.0.1:80", "cx_total", "3"},
	}
	for _, tt := range tests {
		cs, err := ParseClusters(strings.NewReader(tt.line))
		if err != nil {
			t.Errorf("ParseClusters(%q): %v", tt.line, err)
			continue
		}
		c := cs[tt.cluster]
		if c == nil || len(cs) != 1 {
			t.Errorf("ParseClusters(%q): clusters %v, want only %q", tt.line, keys(cs), tt.cluster)
			continue
		}
		if tt.host == "" {
			if v, ok := c.Attrs[tt.key]; !ok || v != tt.value || len(c.Hosts) != 0 {
				t.Errorf("ParseClusters(%q): attrs %v hosts %v, want attr %q=%q", tt.line, c.Attrs, c.Hosts, tt.key, tt.value)
			}
			continue
		}
		if v, ok := c.Hosts[tt.host][tt.key]; !ok || v != tt.value || len(c.Attrs) != 0 {
			t.Errorf("ParseClusters(%q): hosts %v attrs %v, want host %q %q=%q", tt.line, c.Hosts, c.Attrs, tt.host, tt.key, tt.value)
		}
	}
}

func TestParseClustersErrors(t *testing.T) {
	testLineErrors(t, "ParseClusters", func(r io.Reader) (any, error) {
		cs, err := ParseClusters(r)
		return keys(cs), err
	}, []lineErrorCase{
		{"no separator", "c::added_via_api::true\nnot a clusters line\n", 2},
		{"empty cluster name", "::added_via_api::true\n", 1},
		{"non-numeric counter", "c::10.0.0.1:80::cx_total::many\n", 1},
		{"negative counter", "c::10.0.0.1:80::rq_total::-1\n", 1},
		{"bad ipv6 with stat", "c::[2001:db8::zz]:443::cx_total::1\n", 1},
		{"two-level attr missing value", "c::default_priority::max_connections\n", 1},
		{"host without stat", "c::10.0.0.1:80::\n", 1},
		{"json output", "{\n", 1},
	})
}

func TestHostCounterSaturates(t *testing.T) {
	in := "c::10.0.0.1:80::cx_total::18446744073709551615\nc::10.0.0.2:80::cx_total::5\n"
	cs, err := ParseClusters(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := cs.HostCounter("c", "cx_total"); !ok || got != 18446744073709551615 {
		t.Errorf("HostCounter = %d, %v; want saturation at MaxUint64", got, ok)
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
