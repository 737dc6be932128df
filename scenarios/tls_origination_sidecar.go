package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(TLSOriginationSidecar) }

// TLSOriginationSidecar: the app sends plain http://host; its sidecar opens TLS to port 443
// and verifies the server.
// Why: the app speaks HTTP and the sidecar originates TLS, with the
// docs' SE with `targetPort: 443` plus a port-80 DestinationRule `tls: SIMPLE`. Since 1.21 the
// sidecar verifies the server certificate; here against the run's CA (credentialName, which
// needs a workloadSelector and RBAC to list secrets).
// Expects: 200 over HTTP/1.1 with no redirect; the server saw TLS with the host's SNI (the
// echo also listens on plain 80, so a missing origination would show as plain HTTP); the
// sidecar logs outbound|80||<host> (the SE port, not the targetPort). With a CA that signed
// nothing: 503, the handshake fails at the server and no request reaches it; with the run's CA again, 200 again.
var TLSOriginationSidecar = Scenario{
	Name:     "tls-origination-sidecar",
	Summary:  "the sidecar originates TLS for an app speaking plain HTTP and verifies the server",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-tls-origination/#tls-origination-for-egress-traffic (Istio 1.31 docs)`,
	Labels:   []Label{Core, TLSOrigination, ServiceEntry},
	Requires: Requires{MinIstio: "1.21", Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "http-leaves-as-verified-tls",
			Apply: []string{"tls_origination_sidecar.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPSHost}}", Status: 200}))},
		{Name: "untrusted-server-gives-503",
			Apply: []string{"tls_origination_sidecar_wrong_ca.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Holds(HTTPStatus(503), RefusedInHandshake())},
		// The run's CA again, last: the scenario's complete config is origination that works,
		// so an upgrade run (which verifies again from the last probe that applies config)
		// re-checks the origination itself, not only its refusal.
		{Name: "trusted-again-with-the-run-ca",
			Apply: []string{"tls_origination_sidecar.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPSHost}}", Status: 200}))},
	},
}
