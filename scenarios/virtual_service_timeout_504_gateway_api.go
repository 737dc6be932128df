package scenarios

import (
	"time"

	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(VirtualServiceTimeout504GatewayAPI) }

// VirtualServiceTimeout504GatewayAPI: the timeout scenario with the docs' Gateway API tab:
// an HTTPRoute attached to the ServiceEntry with `timeouts.request: 3s`.
// Why: istio.io egress-control "Manage traffic to external services" (Gateway API); the
// route binds to the ServiceEntry as its parent and sends to it as a Hostname backend.
// Needs: the Gateway API CRDs (installed by the suite from the pinned module).
// Expects: as virtual-service-timeout-504: 200 after ≥5 s without the route; with it 504
// within 2.5–4.5 s, flag UT, and the request did reach the API. The 504 must keep holding.
var VirtualServiceTimeout504GatewayAPI = Scenario{
	Name:     "virtual-service-timeout-504-gateway-api",
	Summary:  "an HTTPRoute timeout on a ServiceEntry cuts a slow external call with 504",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#manage-traffic-to-external-services, Gateway API tab (a 3 s timeout on /delay/5) (Istio 1.31 docs)`,
	Labels:   []Label{Core, ServiceEntry, Timeout, GatewayAPI, Slow},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "no-timeout-waits-for-the-slow-api",
			Apply: []string{"virtual_service_timeout_504_gateway_api.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/delay/5",
			Expect: Converges(HTTPStatus(200), ElapsedAtLeast(5*time.Second), SeenByDestination())},
		{Name: "3s-route-timeout-answers-504",
			Apply: []string{"virtual_service_timeout_504_gateway_api_route.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/delay/5",
			Expect: Holds(HTTPStatus(504), ElapsedWithin(2500*time.Millisecond, 4500*time.Millisecond), SeenByDestination(),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 504, ResponseFlag: "UT"}))},
	},
}
