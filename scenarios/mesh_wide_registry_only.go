package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(MeshWideRegistryOnly) }

// MeshWideRegistryOnly: the mesh-wide switch itself, meshConfig.outboundTrafficPolicy
// REGISTRY_ONLY, as the docs set it (istioctl install), not the per-namespace Sidecar the
// other scenarios use.
// Why: istio.io egress-control "Change to the blocking-by-default policy"; the change reaches
// running sidecars over xDS without a restart.
// Needs: to reinstall Istio with the policy and back: Serial.
// Expects: the running sidecar's virtualOutbound switches to the BlackHole (awaited on its
// config, not by retrying traffic); an unregistered host then gets 502 and is never reached,
// for the whole window; a ServiceEntry opens it again.
var MeshWideRegistryOnly = Scenario{
	Name:     "mesh-wide-registry-only",
	Summary:  "meshConfig REGISTRY_ONLY blocks unregistered hosts for running sidecars, and a ServiceEntry opens one",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#change-to-the-blocking-by-default-policy (Istio 1.31 docs)`,
	Labels:   []Label{Core, OutboundPolicy, Serial},
	Requires: Requires{MeshPolicy: RegistryOnly},
	Probes: []Probe{
		{Name: "unregistered-host-refused-mesh-wide",
			From: SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Holds(HTTPStatus(502), LogLine(Sidecar, BlackHoleRoute), NotSeenByDestination())},
		{Name: "service-entry-opens-it",
			Apply: []string{"mesh_wide_registry_only.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Converges(HTTPStatus(200), SeenByDestination(),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}))},
	},
}
