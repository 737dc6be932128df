package scenarios

import (
	"time"

	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(VirtualServiceTimeout504) }

// VirtualServiceTimeout504: a VirtualService timeout cuts a slow external call.
// Why: Istio's default route timeout is off, so /delay/5 answers 200 after ≥5 s; the docs'
// VirtualService with `timeout: 3s` makes the sidecar give up and answer 504 (flag UT).
// Needs: a sidecar client, an HTTP ServiceEntry for the API host.
// Expects: 200 after ≥5 s without the VirtualService; with it 504 within 2.5–4.5 s — not 5 —,
// the sidecar's log line for outbound|80||<host> with UT, and the request did reach the API
// (the cut is made by the sidecar, not by a block). The 504 must keep holding.
var VirtualServiceTimeout504 = Scenario{
	Name:     "virtual-service-timeout-504",
	Summary:  "a VirtualService timeout cuts a slow external call with 504",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#manage-traffic-to-external-services (a 3 s timeout on /delay/5) (Istio 1.31 docs)`,
	Labels:   []Label{Core, ServiceEntry, Timeout, Slow},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "no-timeout-waits-for-the-slow-api",
			Apply: []string{"virtual_service_timeout_504.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/delay/5",
			Expect: Converges(HTTPStatus(200), ElapsedAtLeast(5*time.Second), SeenByDestination(),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 200}))},
		{Name: "3s-timeout-answers-504",
			Apply: []string{"virtual_service_timeout_504_vs.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/delay/5",
			Expect: Holds(HTTPStatus(504), ElapsedWithin(2500*time.Millisecond, 4500*time.Millisecond), SeenByDestination(),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|80||{{.HTTPHost}}", Status: 504, ResponseFlag: "UT"}))},
	},
}
