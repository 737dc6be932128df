package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(ServiceEntryHTTPS) }

// ServiceEntryHTTPS: HTTPS to an external host works through a port-443 HTTPS ServiceEntry.
// Why: under REGISTRY_ONLY the sidecar only forwards TLS to hosts in its registry, routing
// by SNI; the app's own TLS passes through untouched.
// Needs: a sidecar client under REGISTRY_ONLY.
// Expects: before the entry the TLS connection is reset (curl 35) and the server never sees
// it; with the entry 200, a TCP log line for outbound|443||<host> carrying the SNI, and the
// server saw TLS with that SNI.
var ServiceEntryHTTPS = Scenario{
	Name:     "service-entry-https",
	Summary:  "HTTPS to an external host passes through a port-443 HTTPS ServiceEntry",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#access-an-external-https-service (Istio 1.31 docs)`,
	Labels:   []Label{Core, ServiceEntry, OutboundPolicy},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "blocked-without-entry",
			From: SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Holds(CurlExit(35), NotSeenByDestination())},
		{Name: "allowed-with-entry",
			Apply: []string{"service_entry_https.yaml"},
			From:  SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", SNI: "{{.HTTPSHost}}", TCP: true}))},
	},
}
