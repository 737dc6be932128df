package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(EgressGatewayTLSPassthroughGatewayAPI) }

// EgressGatewayTLSPassthroughGatewayAPI: app-originated HTTPS passes through a Gateway API
// egress gateway untouched, routed by SNI with TLSRoutes.
// Why: istio.io egress-gateway "Egress gateway for HTTPS traffic", Gateway API tab: a TLS
// listener in Passthrough mode and two v1alpha2 TLSRoutes (experimental channel,
// PILOT_ENABLE_ALPHA_GATEWAY_API, both set up by the suite).
// Needs: the Gateway API experimental CRDs; to run alone (Serial). Its TLSRoute attached to
// its ServiceEntry reaches beyond its namespace, although the ServiceEntry is exported to
// "." only: a live upgrade lab run, keeping every session open, saw service-entry-https's
// sidecar send secure.egress.test:443 to cluster outbound|443||egress-tls-gw-istio.<this
// scenario's namespace> (upstream Envoy 1.39.3, Istio 1.31.0-dev.b01690e6db7d).
// Expects: 200; the gateway's TCP line for outbound|443||<host> with the SNI; its
// upstream_cx_total for that cluster rose by exactly one; the server saw TLS with the SNI.
var EgressGatewayTLSPassthroughGatewayAPI = Scenario{
	Name:     "egress-gateway-tls-passthrough-gateway-api",
	Summary:  "app-originated HTTPS passes through a Gateway API egress gateway, routed by SNI with TLSRoutes",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-https-traffic, Gateway API tab (Istio 1.31 docs)`,
	Labels:   []Label{Extended, EgressGateway, GatewayAPI, Serial},
	Requires: Requires{Gateway: true, GatewayAPIGateway: "egress-tls-gw"},
	Probes: []Probe{
		{Name: "https-through-gateway-api-gateway",
			Apply: []string{"egress_gateway_tls_passthrough_gateway_api.yaml"},
			From:  SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", SNI: "{{.HTTPSHost}}", TCP: true}),
				CounterDelta(Gateway, ClusterStat("outbound|443||{{.HTTPSHost}}", "upstream_cx_total"), 1))},
	},
}
