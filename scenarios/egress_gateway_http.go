package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(EgressGatewayHTTP) }

// EgressGatewayHTTP: HTTP to an external host leaves through the egress gateway.
// Why: the docs route mesh traffic for the host to the gateway, and the gateway to the host;
// the gateway's route here also adds a header, so the destination can prove the path.
// Needs: the egress gateway; its upstream_rq_total for the host included by proxyStatsMatcher.
// Expects: 200; the destination saw the header only the gateway adds; the gateway's log line
// for outbound|80||<host>; the gateway's cluster.outbound|80||<host>;.upstream_rq_total rose by
// exactly the one request.
var EgressGatewayHTTP = Scenario{
	Name:     "egress-gateway-http",
	Summary:  "HTTP to an external host leaves through the egress gateway",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-http-traffic (Istio 1.31 docs)`,
	Labels:   []Label{Core, EgressGateway, Serial},
	Requires: Requires{Gateway: true},
	Probes: []Probe{
		{Name: "http-through-gateway",
			Apply: []string{"egress_gateway_http.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), DestinationHeader("X-Egress-Conformance-Via", "egress-gateway"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}),
				CounterDelta(Gateway, ClusterStat("outbound|80||{{.HTTPHost}}", "upstream_rq_total"), 1))},
	},
}
