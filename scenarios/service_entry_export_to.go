package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(ServiceEntryExportTo) }

// ServiceEntryExportTo: an entry exported only to its own namespace opens nothing elsewhere.
// Why: an entry scoped with `exportTo: "."`, as teams scope their own; a mesh
// where teams own their egress relies on that scope.
// Needs: two namespaces under REGISTRY_ONLY: the entry's own and a peer.
// Expects: the client in the entry's namespace gets 200 and reaches the API; the peer's
// client gets the BlackHole 502, and the API never sees its request, for the whole window.
var ServiceEntryExportTo = Scenario{
	Name:     "service-entry-export-to",
	Summary:  "a ServiceEntry exported to its own namespace opens the host there and nowhere else",
	Source:   `https://istio.io/v1.31/docs/reference/config/networking/service-entry/#ServiceEntry-export_to (Istio 1.31 docs)`,
	Labels:   []Label{Core, ServiceEntry, OutboundPolicy},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "allowed-in-its-namespace",
			Apply: []string{"service_entry_export_to.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), SeenByDestination(),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}))},
		{Name: "blocked-in-another-namespace",
			From: PeerSidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Holds(HTTPStatus(502), NotSeenByDestination(), LogLine(Sidecar, BlackHoleRoute))},
	},
}
