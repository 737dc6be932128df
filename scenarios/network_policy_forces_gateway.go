package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(NetworkPolicyForcesGateway) }

// NetworkPolicyForcesGateway: Istio alone cannot force egress through the gateway (an
// uninjected pod simply bypasses it); a NetworkPolicy that lets the namespace talk only to
// DNS and istio-system closes the bypass while the mesh path keeps working.
// Why: the closing section of the docs' egress gateway task (istio.io
// egress-gateway "Apply Kubernetes network policies"); upstream leaves the block unasserted
// because its CNI does not enforce policy.
// Needs: a CNI that enforces NetworkPolicy (checked once per run; otherwise skipped with
// the reason), the egress gateway, the run's own destinations.
// Expects: before the policy the plain pod reaches the server directly; the sidecar pod goes
// through the gateway; with the policy the plain pod's call fails and never arrives, for the
// whole window, while the sidecar pod still gets 200 through the gateway.
var NetworkPolicyForcesGateway = Scenario{
	Name:     "network-policy-forces-gateway",
	Summary:  "a NetworkPolicy stops uninjected pods from bypassing the egress gateway while the mesh path works",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-gateway/#apply-kubernetes-network-policies (Istio 1.31 docs)`,
	Labels:   []Label{Extended, EgressGateway, Serial},
	Requires: Requires{Gateway: true, NetworkPolicy: true, Hermetic: true},
	Probes: []Probe{
		{Name: "plain-pod-bypasses-without-policy",
			From: PlainClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"))},
		{Name: "sidecar-pod-goes-through-gateway",
			Apply: []string{"network_policy_forces_gateway_routes.yaml"},
			From:  SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", SNI: "{{.HTTPSHost}}", TCP: true}))},
		{Name: "plain-pod-blocked-by-policy",
			Apply: []string{"network_policy_forces_gateway_policy.yaml"},
			From:  PlainClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Holds(CurlFailed(), NotSeenByDestination())},
		{Name: "sidecar-pod-still-through-gateway",
			From: SidecarClient, URL: "https://{{.HTTPSHost}}/",
			Expect: Converges(HTTPStatus(200), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Gateway, LogMatch{Cluster: "outbound|443||{{.HTTPSHost}}", SNI: "{{.HTTPSHost}}", TCP: true}))},
	},
}
