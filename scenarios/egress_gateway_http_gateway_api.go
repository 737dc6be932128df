package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(EgressGatewayHTTPGatewayAPI) }

// EgressGatewayHTTPGatewayAPI: HTTP leaves through an egress gateway that Istio deploys for a
// Gateway API Gateway in the scenario's namespace.
// Why: istio.io egress-gateway, Gateway API tab: a Gateway `egress-gw` (ClusterIP service),
// one HTTPRoute sending the ServiceEntry's traffic to `egress-gw-istio`, one at the gateway
// sending it on to the host (here adding a header the destination echoes).
// Needs: the Gateway API CRDs; Istio's gateway deployment controller.
// Expects: 200; the destination saw the header only the gateway's route adds; the gateway's
// log line for outbound|80||<host>; its upstream_rq_total for that cluster rose by one.
var EgressGatewayHTTPGatewayAPI = Scenario{
	Name:     "egress-gateway-http-gateway-api",
	Summary:  "HTTP leaves through an egress gateway deployed for a Gateway API Gateway",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-http-traffic, Gateway API tab (Istio 1.31 docs)`,
	Labels:   []Label{Extended, EgressGateway, GatewayAPI},
	Requires: Requires{Gateway: true, GatewayAPIGateway: "egress-gw"},
	Probes: []Probe{
		{Name: "http-through-gateway-api-gateway",
			Apply: []string{"egress_gateway_http_gateway_api.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), DestinationHeader("X-Egress-Conformance-Via", "gateway-api-egress-gw"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}),
				CounterDelta(Gateway, ClusterStat("outbound|80||{{.HTTPHost}}", "upstream_rq_total"), 1))},
	},
}
