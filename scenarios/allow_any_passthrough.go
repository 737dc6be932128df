package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(AllowAnyPassthrough) }

// AllowAnyPassthrough: with ALLOW_ANY, a host the mesh does not know is reachable.
// Why: Istio's default outbound policy forwards unknown destinations through the
// PassthroughCluster instead of refusing them.
// Needs: a sidecar client under ALLOW_ANY, no ServiceEntry.
// Expects: 200 from the API, the sidecar's log line names PassthroughCluster, and the API
// recorded the request.
var AllowAnyPassthrough = Scenario{
	Name:     "allow-any-passthrough",
	Summary:  "with ALLOW_ANY an unregistered external host is reachable through the PassthroughCluster",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#envoy-passthrough-to-external-services (Istio 1.31 docs)`,
	Labels:   []Label{Core, OutboundPolicy},
	Requires: Requires{Policy: AllowAny},
	Probes: []Probe{
		{Name: "unregistered-host-passes-through",
			From: SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), SeenByDestination(), DestinationHost("{{.HTTPHost}}"),
				LogLine(Sidecar, LogMatch{Cluster: "PassthroughCluster", Status: 200}))},
	},
}
