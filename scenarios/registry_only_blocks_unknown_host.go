package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(RegistryOnlyBlocksUnknownHost) }

// RegistryOnlyBlocksUnknownHost: with REGISTRY_ONLY, a sidecar refuses an external host that
// has no ServiceEntry, and the host never sees the request.
// Why: the docs' "change to the blocking-by-default policy"; failure modes differ by
// protocol: plain HTTP gets a 502 from the BlackHole route, TLS
// is reset (curl 35). The docs name the HTTP case BlackHoleCluster; the sidecar logs it as
// the direct 502 of route block_all (expect.BlackHoleRoute says why).
// Needs: a sidecar client under REGISTRY_ONLY, no ServiceEntry.
// Expects: HTTP 502 with the block_all route's line in the sidecar's log; HTTPS curl exit 35; neither
// reaches the destination, and both stay blocked for the whole negative window.
var RegistryOnlyBlocksUnknownHost = Scenario{
	Name:     "registry-only-blocks-unknown-host",
	Summary:  "with REGISTRY_ONLY an unregistered external host is refused and never reached",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#change-to-the-blocking-by-default-policy (Istio 1.31 docs)`,
	Labels:   []Label{Core, OutboundPolicy},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "http-gets-502",
			From: SidecarClient, URL: "http://{{.HTTPHost}}/headers",
			Expect: Holds(HTTPStatus(502), LogLine(Sidecar, BlackHoleRoute), NotSeenByDestination())},
		{Name: "https-is-reset",
			From: SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Holds(CurlExit(35), NotSeenByDestination())},
	},
}
