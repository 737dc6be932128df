package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(EgressGatewayTLSPassthrough) }

// EgressGatewayTLSPassthrough: HTTPS originated by the app leaves through the egress gateway
// untouched (TLS PASSTHROUGH, routed by SNI).
// Why: the docs' "Egress gateway for HTTPS traffic": sidecar → gateway → external host,
// the gateway never terminates TLS; its per-cluster counter rises by one per connection.
// Needs: the egress gateway; its upstream_cx_total for the host included by proxyStatsMatcher.
// Expects: 200; the sidecar sent it to the gateway; the gateway's TCP line for
// outbound|443||<host> with the SNI; the gateway's cluster.outbound|443||<host>;
// .upstream_cx_total rose by exactly 1 (one curl = one new connection); the server saw TLS
// with that SNI, so the TLS session really was end to end.
var EgressGatewayTLSPassthrough = Scenario{
	Name:     "egress-gateway-tls-passthrough",
	Summary:  "app-originated HTTPS passes through the egress gateway untouched, routed by SNI",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-https-traffic (Istio 1.31 docs)`,
	Labels:   []Label{Core, EgressGateway, Serial},
	Requires: Requires{Gateway: true},
	Probes: []Probe{
		{Name: "https-through-gateway",
			Apply: []string{"egress_gateway_tls_passthrough.yaml"},
			From:  SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|443|passthrough|{{.GatewayService}}", TCP: true}),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", SNI: "{{.HTTPSHost}}", TCP: true}),
				CounterDelta(Gateway, ClusterStat("outbound|443||{{.HTTPSHost}}", "upstream_cx_total"), 1))},
	},
}
