package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(ServiceEntryHTTP) }

// ServiceEntryHTTP: an HTTP ServiceEntry (DNS resolution, MESH_EXTERNAL) opens one host.
// Why: under REGISTRY_ONLY the ServiceEntry is what puts the host in the registry; Envoy then
// resolves it itself (resolution: DNS) and routes by Host.
// Needs: a sidecar client under REGISTRY_ONLY, the docs' httpbin-ext entry.
// Expects: 200 from /headers; the API saw its own name as Host; the sidecar's log has the
// line for outbound|80||<host>.
var ServiceEntryHTTP = Scenario{
	Name:     "service-entry-http",
	Summary:  "an HTTP ServiceEntry with DNS resolution opens exactly one external host",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#access-an-external-http-service (Istio 1.31 docs)`,
	Labels:   []Label{Core, ServiceEntry, OutboundPolicy},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "http-allowed-with-entry",
			Apply: []string{"service_entry_http.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), DestinationHost("{{.HTTPHost}}"), DestinationRole("httpbin"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200, Authority: "{{.HTTPHost}}"}))},
		{Name: "other-host-still-blocked",
			From: SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Holds(CurlExit(35), NotSeenByDestination())},
	},
}
