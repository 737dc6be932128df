package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(MTLSOrigination) }

// MTLSOrigination: the sidecar presents a client certificate from credentialName when it
// originates TLS, and a server that requires one refuses it otherwise.
// Why: the docs' mutual TLS origination (DestinationRule tls MUTUAL with credentialName, a
// workloadSelector and RBAC for the secret).
// Needs: the TLS httpbin's port that requires a client certificate from the run's CA.
// Expects: 200 with the client certificate's subject verified by the server; without a
// client certificate, or with one from another CA, 503, the server refusing the handshake
// and no request at it; with the right certificate again, 200 again.
var MTLSOrigination = Scenario{
	Name:     "mtls-origination",
	Summary:  "the sidecar originates mutual TLS with a client certificate from credentialName",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-tls-origination/#mutual-tls-origination-for-egress-traffic; https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway-tls-origination/#perform-mutual-tls-origination-with-an-egress-gateway (Istio 1.31 docs)`,
	Labels:   []Label{Extended, TLSOrigination, ServiceEntry},
	Requires: Requires{MinIstio: "1.21", Policy: RegistryOnly, Hermetic: true},
	Probes: []Probe{
		{Name: "client-certificate-accepted",
			Apply: []string{"mtls_origination.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"), DestinationClientCert(ClientCertCN),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPSHost}}", Status: 200}))},
		{Name: "no-client-certificate-gives-503",
			Apply: []string{"mtls_origination_no_cert.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Holds(HTTPStatus(503), RefusedInHandshake())},
		{Name: "foreign-client-certificate-gives-503",
			Apply: []string{"mtls_origination_foreign_cert.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Holds(HTTPStatus(503), RefusedInHandshake())},
		// The working config again, last: the scenario's complete config is mutual TLS that
		// works, so an upgrade run (which verifies again from the last probe that applies
		// config) re-checks the origination itself, not only its refusals.
		{Name: "client-certificate-accepted-again",
			Apply: []string{"mtls_origination.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"), DestinationClientCert(ClientCertCN),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPSHost}}", Status: 200}))},
	},
}
