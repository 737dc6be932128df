package parse

import (
	"bytes"
	"strings"
	"testing"
)

// The access logs, /stats and /clusters of live proxies (upstream Envoy 1.39.3 on the lab's
// Istio build, `make capture-fixtures`; each file's header says what produced it).

// capturedLog parses a captured access log into its "# <scenario>/<probe>" groups; every
// line of it must be an access-log line.
func capturedLog(t *testing.T, name string) map[string][]AccessLogEntry {
	t.Helper()
	groups := map[string][]AccessLogEntry{}
	group := ""
	for _, l := range strings.Split(string(readTestdata(t, name)), "\n") {
		if strings.HasPrefix(l, "# ") && strings.Contains(l, "/") && !strings.Contains(l[2:], " ") {
			group = l[2:]
			continue
		}
		if strings.HasPrefix(l, "#") || l == "" {
			continue
		}
		es, skipped, err := ParseAccessLog(strings.NewReader(l))
		if err != nil || skipped != 0 || len(es) != 1 {
			t.Fatalf("%s, %s: %q parsed to %d entries, %d skipped, %v", name, group, l, len(es), skipped, err)
		}
		groups[group] = append(groups[group], es[0])
	}
	if len(groups) == 0 {
		t.Fatalf("%s holds no probe's lines", name)
	}
	return groups
}

func only(t *testing.T, groups map[string][]AccessLogEntry, g string) AccessLogEntry {
	t.Helper()
	if len(groups[g]) == 0 {
		t.Fatalf("no captured line of %s", g)
	}
	return groups[g][0]
}

func TestCapturedSidecarAccessLog(t *testing.T) {
	g := capturedLog(t, "envoy-1.39.3-sidecar-access.log")
	// REGISTRY_ONLY, plain HTTP: a direct 502 from route block_all, no upstream cluster.
	e := only(t, g, "registry-only-blocks-unknown-host/http-gets-502")
	if e.ResponseCode != 502 || e.ResponseCodeDetails != "direct_response" || e.RouteName != "block_all" || e.UpstreamCluster != "-" || e.IsTCP() {
		t.Errorf("block_all line: %+v", e)
	}
	// REGISTRY_ONLY, TCP to an unknown address: BlackHoleCluster, flag UH, no bytes.
	e = only(t, g, "external-https-proxy-tcp-entry/sidecar-blocked-without-proxy-entry")
	if !e.IsTCP() || e.UpstreamCluster != "BlackHoleCluster" || e.ResponseFlags != "UH" || e.BytesSent != 0 || e.DownstreamLocalAddress != "172.18.0.5:3128" {
		t.Errorf("BlackHoleCluster line: %+v", e)
	}
	// A VirtualService timeout: 504 UT response_timeout after ~3 s (Envoy logged 2999 ms once).
	e = only(t, g, "virtual-service-timeout-504/3s-timeout-answers-504")
	if e.ResponseCode != 504 || e.ResponseFlags != "UT" || e.ResponseCodeDetails != "response_timeout" || e.Duration.Seconds() < 2.5 || e.UpstreamCluster != "outbound|80||httpbin.egress.test" {
		t.Errorf("timeout line: %+v", e)
	}
	// ALLOW_ANY passthrough.
	e = only(t, g, "allow-any-passthrough/unregistered-host-passes-through")
	if e.UpstreamCluster != "PassthroughCluster" || e.RouteName != "allow_any" || e.ResponseCode != 200 {
		t.Errorf("passthrough line: %+v", e)
	}
	// TLS passthrough by SNI through a ServiceEntry.
	e = only(t, g, "service-entry-https/allowed-with-entry")
	if !e.IsTCP() || e.RequestedServerName != "secure.egress.test" || e.UpstreamCluster != "outbound|443||secure.egress.test" {
		t.Errorf("TLS passthrough line: %+v", e)
	}
	// TLS origination: the app's HTTP on the SE's port 80 cluster, sent to the host's 443.
	e = only(t, g, "tls-origination-sidecar/http-leaves-as-verified-tls")
	if e.UpstreamCluster != "outbound|80||secure.egress.test" || e.UpstreamHost != "172.18.0.4:443" || e.ResponseCode != 200 {
		t.Errorf("TLS origination line: %+v", e)
	}
}

func TestCapturedGatewayAccessLog(t *testing.T) {
	g := capturedLog(t, "envoy-1.39.3-gateway-access.log")
	// The ISTIO_MUTUAL hop: the gateway's HTTPS server on 8443, the SNI the sidecar set.
	e := only(t, g, "egress-gateway-istio-mutual/http-over-istio-mutual-to-gateway")
	if e.DownstreamLocalAddress[strings.LastIndex(e.DownstreamLocalAddress, ":"):] != ":8443" || e.RequestedServerName != "httpbin.egress.test" || e.UpstreamCluster != "outbound|80||httpbin.egress.test" {
		t.Errorf("mutual TLS hop line: %+v", e)
	}
	// Wildcard hosts: the second member's SNI on the first member's cluster.
	e = only(t, g, "wildcard-hosts/second-member-via-gateway")
	if !e.IsTCP() || e.RequestedServerName != "b.wild.egress.test" || e.UpstreamCluster != "outbound|443||a.wild.egress.test" {
		t.Errorf("wildcard line: %+v", e)
	}
	// Sidecar to the mesh's gateway over HTTP/2.
	if e := only(t, g, "egress-gateway-http/http-through-gateway"); e.Protocol != "HTTP/2" || e.XForwardedFor == "-" {
		t.Errorf("gateway HTTP line: %+v", e)
	}
}

func TestCapturedStatsAndClusters(t *testing.T) {
	st, err := ParseStats(bytes.NewReader(captured(t, "envoy-1.39.3-stats.txt")))
	if err != nil {
		t.Fatal(err)
	}
	// Istio's alt_stat_name puts ";" after the cluster name (scenarios/expect.ClusterStat).
	if v, ok := st.Value("cluster.outbound|443||secure.egress.test;.upstream_cx_total"); !ok || v == 0 {
		t.Errorf("the passthrough cluster's upstream_cx_total: %d, %v", v, ok)
	}
	if v, ok := st.Value("listener_manager.lds.update_rejected"); !ok || v != 0 {
		t.Errorf("lds update_rejected = %d, %v; a healthy lab proxy rejects nothing", v, ok)
	}
	cs, err := ParseClusters(bytes.NewReader(captured(t, "envoy-1.39.3-gateway-clusters.txt")))
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) == 0 {
		t.Fatal("no cluster in the captured /clusters")
	}
	hosts := 0
	for name, c := range cs {
		if !strings.HasPrefix(name, "outbound|") {
			t.Errorf("cluster %q: the capture keeps outbound clusters", name)
		}
		if c.Attrs["added_via_api"] != "true" {
			t.Errorf("cluster %q: added_via_api %q, want true (istiod sent it)", name, c.Attrs["added_via_api"])
		}
		hosts += len(c.Hosts)
	}
	if hosts == 0 {
		t.Error("no cluster of the capture has a host")
	}
}
