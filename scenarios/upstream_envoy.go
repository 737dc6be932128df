package scenarios

import "fmt"

// UpstreamEnvoyGap is a probe that cannot work on upstream Envoy (the offline lab's proxy)
// because it needs a feature only Istio's own proxy (istio-proxy) has. Such a probe is
// skipped in a run with istio.upstreamEnvoy, and the report says why; lab-check accepts
// that skip and no other.
type UpstreamEnvoyGap struct {
	Scenario, Probe string
	// Feature is the istio-proxy feature the probe needs, e.g. "istio_requests_total metrics".
	Feature string
	// Reason says why the probe cannot be judged without it.
	Reason string
}

// SkipReason is the skip message of such a probe.
func (g UpstreamEnvoyGap) SkipReason() string {
	return fmt.Sprintf("needs Istio's own proxy (%s), which upstream Envoy lacks: %s", g.Feature, g.Reason)
}

// UpstreamEnvoyGaps lists every such probe. It is empty: every probe of the catalog was
// judged on upstream Envoy (make e2e-lab). Add to it only with the live evidence that the
// probe needs an Istio filter, never to make a failing probe go away.
var UpstreamEnvoyGaps = []UpstreamEnvoyGap{}

// UpstreamEnvoyGapOf returns the gap entry of a scenario's probe, if it has one.
func UpstreamEnvoyGapOf(scenario, probe string) (UpstreamEnvoyGap, bool) {
	for _, g := range UpstreamEnvoyGaps {
		if g.Scenario == scenario && g.Probe == probe {
			return g, true
		}
	}
	return UpstreamEnvoyGap{}, false
}
