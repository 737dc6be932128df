package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(EgressGatewayIstioMutual) }

// EgressGatewayIstioMutual: the hop from the sidecar to the egress gateway is mutual TLS.
// Why: the egress gateway with mutual TLS from the sidecar, in its modern form:
// the gateway server is HTTPS with ISTIO_MUTUAL and the sidecar's DestinationRule subset
// originates ISTIO_MUTUAL with the host as SNI (istio.io egress-gateway-tls-origination).
// Needs: the egress gateway.
// Expects: 200 through the gateway (the destination saw the gateway's header); the sidecar
// sent it to the gateway's port 443 and the gateway's ISTIO_MUTUAL server took that very
// connection with the SNI the subset sets (expect.GatewayHop: the hop itself, not merely the
// gateway's own certificate, which any install has); the gateway forwarded it on
// outbound|80||<host>.
var EgressGatewayIstioMutual = Scenario{
	Name:     "egress-gateway-istio-mutual",
	Summary:  "the sidecar-to-gateway hop is mutual TLS, on one connection the gateway's ISTIO_MUTUAL server accepted",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-tls-origination-with-an-egress-gateway (the ISTIO_MUTUAL hop to the gateway) (Istio 1.31 docs)`,
	Labels:   []Label{Core, EgressGateway, Serial},
	Requires: Requires{Gateway: true},
	Probes: []Probe{
		{Name: "http-over-istio-mutual-to-gateway",
			Apply: []string{"egress_gateway_istio_mutual.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), DestinationHeader("X-Egress-Conformance-Via", "egress-gateway-mtls"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|443|mtls|{{.GatewayService}}", Status: 200}),
				LogLine(Gateway, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}),
				GatewayHop("outbound|443|mtls|{{.GatewayService}}", "{{.HTTPHost}}"))},
	},
}
