package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(TLSOriginationEgressGateway) }

// TLSOriginationEgressGateway: the app speaks plain HTTP, the sidecar sends it to the egress
// gateway over ISTIO_MUTUAL, and the gateway originates TLS to the host's port 443.
// Why: istio.io "Egress Gateways with TLS Origination": one place holds the external
// credentials; since 1.21 the gateway verifies the server (here against the run's CA,
// credentialName in the gateway's namespace).
// Needs: the egress gateway; the run's CA as a secret in its namespace (set up once per run).
// Expects: 200 over HTTP/1.1; the server saw TLS with the host's SNI and the header only the
// gateway's route adds; the gateway's log line for outbound|443||<host> (the route's
// destination port, not the gateway's); the sidecar sent it to the gateway's subset on port 80.
var TLSOriginationEgressGateway = Scenario{
	Name:     "tls-origination-egress-gateway",
	Summary:  "the egress gateway originates verified TLS for HTTP it receives over ISTIO_MUTUAL",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-tls-origination-with-an-egress-gateway (Istio 1.31 docs)`,
	Labels:   []Label{Extended, EgressGateway, TLSOrigination, Serial},
	Requires: Requires{MinIstio: "1.21", Gateway: true},
	Probes: []Probe{
		{Name: "gateway-originates-verified-tls",
			Apply: []string{"tls_origination_egress_gateway.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				DestinationHeader("X-Egress-Conformance-Via", "egress-gateway-origination"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80|origination|{{.GatewayService}}", Status: 200}),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", Status: 200}))},
	},
}
