package expect

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/fixtures/outside/echo"
	"github.com/egressconformance/iec/harness/parse"
)

// The access-log lines below follow Istio's default TEXT format; see harness/parse/testdata.
const (
	httpLine = `[2026-11-22T05:00:01.000Z] "GET /delay/5 HTTP/1.1" 504 UT response_timeout - "-" 0 24 3001 - "-" "curl/8.16.0" "a6f1" "httpbin.egress.test" "172.18.0.5:80" outbound|80||httpbin.egress.test 10.244.0.7:41234 172.18.0.5:80 10.244.0.7:41232 - -`
	tcpLine  = `[2026-11-22T05:00:02.000Z] "- - -" 0 - - - "-" 812 4411 35 - "-" "-" "-" "-" "172.18.0.6:443" outbound|443||secure.egress.test 10.244.0.7:51234 172.18.0.6:443 10.244.0.7:51232 secure.egress.test -`
)

func entry(t *testing.T, line string) parse.AccessLogEntry {
	t.Helper()
	es, _, err := parse.ParseAccessLog(strings.NewReader(line + "\n"))
	if err != nil || len(es) != 1 {
		t.Fatalf("test line does not parse: %v", err)
	}
	return es[0]
}

func obs(t *testing.T) *fixtures.Observation {
	return &fixtures.Observation{
		ID:         "p1",
		Hermetic:   true,
		Vars:       fixtures.Vars{Names: fixtures.NamesFor("hermetic"), ProxyPort: 3128},
		Curl:       parse.Curl{HTTPCode: 504, TimeTotal: 3010 * time.Millisecond},
		SidecarLog: []parse.AccessLogEntry{entry(t, httpLine), entry(t, tcpLine)},
		Destination: map[string][]echo.Record{
			"httpbin": {{Kind: "request", Method: "GET", Host: "httpbin.egress.test", URI: "/delay/5", Probe: "p1", Headers: map[string][]string{"X-Via": {"gateway"}}}},
			"secure":  nil,
		},
		Counters: map[string]fixtures.CounterValues{"gateway/cluster.outbound|443||secure.egress.test;.upstream_cx_total": {Before: 4, After: 5, Found: true}},
		Squid:    []parse.SquidEntry{{Method: "CONNECT", URL: "secure.egress.test:443", ResultCode: "TCP_TUNNEL", Status: 200}},
	}
}

// Each check must pass on the matching observation and fail on a changed one; a check that
// cannot fail would be a defect.
func TestChecksPassAndFail(t *testing.T) {
	for _, tc := range []struct {
		name   string
		check  Expectation
		breakf func(o *fixtures.Observation)
		want   string // in the failure message
	}{
		{"status", HTTPStatus(504), func(o *fixtures.Observation) { o.Curl.HTTPCode = 200 }, "saw HTTP 200"},
		{"status needs curl success", HTTPStatus(504), func(o *fixtures.Observation) { o.Curl.ExitCode = 56 }, "curl exit 56"},
		{"elapsed band", ElapsedWithin(2500*time.Millisecond, 4500*time.Millisecond), func(o *fixtures.Observation) { o.Curl.TimeTotal = 5 * time.Second }, "took 5s"},
		{"elapsed at least", ElapsedAtLeast(3 * time.Second), func(o *fixtures.Observation) { o.Curl.TimeTotal = time.Second }, "took only 1s"},
		{"log line with flag", LogLine(fixtures.Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 504, ResponseFlag: "UT"}),
			func(o *fixtures.Observation) { o.SidecarLog = o.SidecarLog[1:] }, "none of 1 new lines match"},
		{"log line flag must be exact", LogLine(fixtures.Sidecar, LogMatch{ResponseFlag: "U"}), nil, "none of 2"},
		{"tcp line with SNI", LogLine(fixtures.Sidecar, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", SNI: "{{.HTTPSHost}}", TCP: true}),
			func(o *fixtures.Observation) { o.SidecarLog = o.SidecarLog[:1] }, "none of 1"},
		{"no log line", NoLogLine(fixtures.Sidecar, LogMatch{Cluster: "PassthroughCluster"}),
			func(o *fixtures.Observation) { o.SidecarLog[0].UpstreamCluster = "PassthroughCluster" }, "found"},
		{"seen", SeenByDestination(), func(o *fixtures.Observation) { o.Destination["httpbin"] = nil }, "no echo container recorded probe p1"},
		{"not seen", NotSeenByDestination(), nil, "1 request(s) reached it"},
		{"header", DestinationHeader("x-via", "gateway"), func(o *fixtures.Observation) { o.Destination["httpbin"][0].Headers = nil }, "header absent"},
		{"host", DestinationHost("{{.HTTPHost}}"), func(o *fixtures.Observation) { o.Destination["httpbin"][0].Host = "evil.test:80" }, `saw Host "evil.test:80"`},
		{"tls", DestinationTLS("{{.HTTPSHost}}"), nil, "plain HTTP"},
		{"client cert", DestinationClientCert("egress-conformance-client"), nil, "the server saw <nil>"},
		{"role", DestinationRole("httpbin"), func(o *fixtures.Observation) { o.Destination["secure"] = o.Destination["httpbin"] }, "reached"},
		{"counter", CounterDelta(fixtures.Gateway, ClusterStat("outbound|443||{{.HTTPSHost}}", "upstream_cx_total"), 1),
			func(o *fixtures.Observation) {
				o.Counters["gateway/cluster.outbound|443||secure.egress.test;.upstream_cx_total"] = fixtures.CounterValues{Before: 4, After: 6, Found: true}
			}, "went from 4 to 6"},
		// A counter the proxy does not have is reported as such, never read as 0.
		{"counter absent", CounterDelta(fixtures.Gateway, ClusterStat("outbound|443||{{.HTTPSHost}}", "upstream_cx_total"), 1),
			func(o *fixtures.Observation) {
				o.Counters["gateway/cluster.outbound|443||secure.egress.test;.upstream_cx_total"] = fixtures.CounterValues{Before: 0, After: 1}
			}, "not included by proxyStatsMatcher"},
		{"squid tunnel", SquidTunnel("{{.HTTPSHost}}:443"), func(o *fixtures.Observation) { o.Squid[0].ResultCode = "TCP_DENIED"; o.Squid[0].Status = 403 }, "no such line"},
		{"no squid", NoSquidTraffic(), nil, "squid logged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := obs(t)
			err := tc.check.Check(o)
			if tc.breakf == nil { // the base observation is the failing case
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("want failure with %q, got %v", tc.want, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s must hold on the matching observation: %v", tc.check, err)
			}
			tc.breakf(o)
			err = tc.check.Check(o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s: want failure with %q, got %v", tc.check, tc.want, err)
			}
		})
	}
}

func TestCurlExitTellsOutcomesApart(t *testing.T) {
	o := obs(t)
	o.Curl = parse.Curl{ExitCode: 35}
	if err := CurlExit(35).Check(o); err != nil {
		t.Fatalf("exit 35: %v", err)
	}
	for _, other := range []int{28, 56, 60} {
		if err := CurlExit(other).Check(o); err == nil {
			t.Errorf("CurlExit(%d) accepted exit 35", other)
		}
	}
	o.Curl = parse.Curl{HTTPCode: 502}
	if err := CurlExit(35).Check(o); err == nil {
		t.Error("an HTTP 502 is not a TLS reset")
	}
	if err := CurlFailed().Check(o); err == nil {
		t.Error("an HTTP answer is not a failed request")
	}
	o.Curl = parse.Curl{ExitCode: 56}
	if err := CurlFailed().Check(o); err != nil {
		t.Error(err)
	}
	// When curl's JSON is missing, the pod's exit code is used.
	o = obs(t)
	o.Curl, o.CurlErr, o.ExitCode = parse.Curl{}, "no JSON", 35
	if err := CurlExit(35).Check(o); err != nil {
		t.Error(err)
	}
}

func TestInternetModeDestinationChecksAreNotApplicableNeverPassed(t *testing.T) {
	o := obs(t)
	o.Hermetic = false
	for _, c := range []Expectation{SeenByDestination(), NotSeenByDestination(), DestinationTLS("x"), DestinationHost("x"), DestinationHeader("a", "b"), DestinationRole("httpbin")} {
		if err := c.Check(o); !errors.Is(err, ErrNotApplicable) {
			t.Errorf("%s in internet mode: want ErrNotApplicable, got %v", c, err)
		}
	}
	oc := Converges(HTTPStatus(504), SeenByDestination())
	na, err := oc.Check(o)
	if err != nil || len(na) != 1 {
		t.Fatalf("want one not-applicable note and no failure, got %v %v", na, err)
	}
}

func TestOutcomeJoinsFailuresAndNeeds(t *testing.T) {
	oc := Holds(HTTPStatus(502), LogLine(fixtures.Sidecar, LogMatch{Cluster: "BlackHoleCluster"}), NotSeenByDestination(), CounterDelta(fixtures.Gateway, "x", 1))
	if !oc.Negative || !strings.HasPrefix(oc.String(), "holds: HTTP 502") {
		t.Errorf("outcome: %s", oc)
	}
	n := oc.Needs()
	if !n.SidecarLog || !n.Destination || !n.Handshakes || n.GatewayLog || n.Squid || len(n.Counters) != 1 {
		t.Errorf("needs: %+v", n)
	}
	// The checks that read failed handshakes (unattributed records) say so, so the attempt
	// holds them; the ones that read only the probe's own requests do not.
	for name, e := range map[string]Expectation{"NotSeenByDestination": NotSeenByDestination(), "RefusedInHandshake": RefusedInHandshake()} {
		if !e.Needs().Handshakes {
			t.Errorf("%s does not need the handshakes it reads", name)
		}
	}
	if SeenByDestination().Needs().Handshakes {
		t.Error("SeenByDestination reads only the probe's own requests, yet needs the handshakes")
	}
	_, err := oc.Check(obs(t))
	if err == nil || strings.Count(err.Error(), "\n") < 2 {
		t.Errorf("want every failing check reported, got %v", err)
	}
}

func TestDestinationClientCertPasses(t *testing.T) {
	o := obs(t)
	o.Destination["httpbin"][0].TLS = &echo.TLSInfo{SNI: "secure.egress.test", PeerVerified: true, PeerSubject: "CN=egress-conformance-client,O=egress-conformance"}
	if err := DestinationClientCert("egress-conformance-client").Check(o); err != nil {
		t.Fatal(err)
	}
	o.Destination["httpbin"][0].TLS.PeerVerified = false
	if err := DestinationClientCert("egress-conformance-client").Check(o); err == nil {
		t.Fatal("an unverified client certificate must not pass")
	}
}

// A DNS failure never passes for a blocked request: the request did not leave the pod.
func TestCurlFailedIsNotADNSFailure(t *testing.T) {
	o := obs(t)
	o.Curl = parse.Curl{ExitCode: 6}
	if err := CurlFailed().Check(o); err == nil {
		t.Error("curl exit 6 (could not resolve host) passed CurlFailed")
	}
	o.Curl, o.CurlErr, o.ExitCode = parse.Curl{}, "no JSON", 6
	if err := CurlFailed().Check(o); err == nil {
		t.Error("pod exit 6 without curl's JSON passed CurlFailed")
	}
}

// A failed handshake for the probe's host while it ran counts as reaching the destination:
// NotSeenByDestination fails on it, RefusedInHandshake needs it.
func TestHandshakesAtTheDestination(t *testing.T) {
	o := obs(t)
	o.Destination = map[string][]echo.Record{"httpbin": nil, "secure": nil}
	if err := NotSeenByDestination().Check(o); err != nil {
		t.Fatalf("nothing recorded: %v", err)
	}
	if err := RefusedInHandshake().Check(o); err == nil || !strings.Contains(err.Error(), "no failed TLS handshake") {
		t.Errorf("RefusedInHandshake without a handshake record: %v", err)
	}
	o.Handshakes = []echo.Record{{Kind: echo.KindHandshake, RemoteIP: "10.244.0.9", TLS: &echo.TLSInfo{SNI: "secure.egress.test"}, Error: "remote error: tls: unknown certificate authority"}}
	if err := NotSeenByDestination().Check(o); err == nil || !strings.Contains(err.Error(), "TLS handshake(s) for secure.egress.test") {
		t.Errorf("NotSeenByDestination with a handshake record: %v", err)
	}
	if err := RefusedInHandshake().Check(o); err != nil {
		t.Errorf("RefusedInHandshake with a handshake record: %v", err)
	}
	o.Destination["secure"] = []echo.Record{{Kind: echo.KindRequest, Method: "GET", Probe: "p1", Host: "secure.egress.test", URI: "/"}}
	if err := RefusedInHandshake().Check(o); err == nil {
		t.Error("RefusedInHandshake with a request at the destination")
	}
}
