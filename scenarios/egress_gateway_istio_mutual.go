package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(EgressGatewayIstioMutual) }

// EgressGatewayIstioMutual: the hop from the sidecar to the egress gateway is mutual TLS,
// and the gateway proves the identity of its service account.
// Why: the seed's mTLS variant of "Egress gateway 进行 HTTPS 流量透传", in its modern form:
// the gateway server is HTTPS with ISTIO_MUTUAL and the sidecar's DestinationRule subset
// originates ISTIO_MUTUAL with the host as SNI (istio.io egress-gateway-tls-origination).
// Needs: the egress gateway.
// Expects: 200 through the gateway (the destination saw the gateway's header); the sidecar
// sent it to the gateway's port 443; the gateway forwarded it on outbound|80||<host>; the
// gateway's certificate SAN is spiffe://cluster.local/ns/istio-system/sa/<its service account>.
var EgressGatewayIstioMutual = Scenario{
	Name:     "egress-gateway-istio-mutual",
	Summary:  "the sidecar-to-gateway hop is mutual TLS and the gateway presents its SPIFFE identity",
	Source:   `seed "Egress gateway 进行 HTTPS 流量透传" (mTLS variant); istio.io egress-gateway-tls-origination`,
	Labels:   []Label{Core, EgressGateway, Serial},
	Requires: Requires{Gateway: true},
	Probes: []Probe{
		{Name: "http-over-istio-mutual-to-gateway",
			Apply: []string{"egress_gateway_istio_mutual.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Allowed(HTTPStatus(200), DestinationHeader("X-Egress-Conformance-Via", "egress-gateway-mtls"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|443|mtls|{{.GatewayService}}", Status: 200}),
				LogLine(Gateway, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}),
				GatewayIdentity("{{.GatewayIdentity}}"))},
	},
}
