package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(KubernetesExternalNameEgress) }

// KubernetesExternalNameEgress: a Kubernetes ExternalName Service as an alias for an
// external host.
// Why: istio.io "Kubernetes Services for Egress Traffic". From Istio 1.21 an ExternalName
// Service is an alias of its target (1.24: always), so the target itself must be in the mesh
// registry: under REGISTRY_ONLY the alias opens nothing by itself.
// Needs: REGISTRY_ONLY; a plain and a sidecar client.
// Expects: the plain pod reaches the API through the alias (the API sees the alias as Host);
// the sidecar pod is refused — the live sidecar answers 502 from its block_all route, as for
// any host outside its registry (expect.BlackHoleRoute) — and the API never sees it until a
// ServiceEntry registers the target, then it gets 200 through the alias.
var KubernetesExternalNameEgress = Scenario{
	Name:     "kubernetes-externalname-egress",
	Summary:  "an ExternalName Service is an alias: it works for plain pods and, under REGISTRY_ONLY, for sidecars only once the target is registered",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-kubernetes-services/ (Istio 1.31 docs); https://istio.io/latest/news/releases/1.21.x/announcing-1.21/upgrade-notes/ (ExternalName alias semantics)`,
	Labels:   []Label{Extended, ServiceEntry, OutboundPolicy},
	Requires: Requires{MinIstio: "1.21", Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "plain-pod-through-alias",
			Apply: []string{"kubernetes_externalname_egress.yaml"},
			From:  PlainClient, URL: "http://my-httpbin.{{.Namespace}}.svc.cluster.local/headers",
			Expect: Converges(HTTPStatus(200), DestinationHost("my-httpbin.{{.Namespace}}.svc.cluster.local"))},
		{Name: "sidecar-refused-while-target-unregistered",
			From: SidecarClient, URL: "http://my-httpbin.{{.Namespace}}.svc.cluster.local/headers",
			Expect: Holds(HTTPStatus(502), LogLine(Sidecar, BlackHoleRoute), NotSeenByDestination())},
		{Name: "sidecar-through-alias-once-target-registered",
			Apply: []string{"kubernetes_externalname_egress_target.yaml"},
			From:  SidecarClient, URL: "http://my-httpbin.{{.Namespace}}.svc.cluster.local/headers",
			Expect: Converges(HTTPStatus(200), DestinationHost("my-httpbin.{{.Namespace}}.svc.cluster.local"))},
	},
}
