package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(WildcardHosts) }

// WildcardHosts: one `*.domain` ServiceEntry opens every subdomain; through the egress
// gateway the whole family goes to one concrete upstream.
// Why: wildcard hosts such as `*.googleapis.com`, and the docs' wildcard task: a
// wildcard host cannot be resolved by DNS, so the sidecar trusts the dialled address
// (resolution NONE), and the gateway routes the family to one DNS-resolved host.
// Needs: REGISTRY_ONLY (so only the entry opens the family), the egress gateway.
// Expects: both members answer 200 with their own SNI at the server, directly and through
// the gateway; via the gateway, its log names the concrete upstream and that cluster's
// upstream_cx_total rises by exactly 1 per request (TLS passthrough: one connection each).
var WildcardHosts = Scenario{
	Name:     "wildcard-hosts",
	Summary:  "a wildcard ServiceEntry opens every subdomain; via the gateway the family goes to one concrete upstream",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/wildcard-egress-hosts/ (Istio 1.31 docs)`,
	Labels:   []Label{Extended, ServiceEntry, EgressGateway, Serial},
	Requires: Requires{Policy: RegistryOnly, Gateway: true},
	Probes: []Probe{
		{Name: "first-member-direct",
			Apply: []string{"wildcard_hosts.yaml"},
			From:  SidecarClient, URL: "https://{{.WildA}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.WildA}}"))},
		{Name: "second-member-direct",
			From: SidecarClient, URL: "https://{{.WildB}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.WildB}}"))},
		{Name: "first-member-via-gateway",
			Apply: []string{"wildcard_hosts_gateway.yaml"},
			From:  SidecarClient, URL: "https://{{.WildA}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.WildA}}"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.WildUpstream}}", SNI: "{{.WildA}}", TCP: true}),
				CounterDelta(Gateway, ClusterStat("outbound|443||{{.WildUpstream}}", "upstream_cx_total"), 1))},
		{Name: "second-member-via-gateway",
			From: SidecarClient, URL: "https://{{.WildB}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.WildB}}"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.WildUpstream}}", SNI: "{{.WildB}}", TCP: true}),
				CounterDelta(Gateway, ClusterStat("outbound|443||{{.WildUpstream}}", "upstream_cx_total"), 1))},
	},
}
