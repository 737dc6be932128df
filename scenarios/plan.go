package scenarios

import (
	"context"

	"github.com/egressconformance/iec/fixtures"
)

// Plan is what a run does with one scenario, decided once, before the scenario's namespace is
// opened: whether it runs at all and, if it does, which of its probes run. The suite's plain
// and upgrade trees skip by it and by nothing else.
type Plan struct {
	// Skip says why the scenario does not run in this world ("": it runs).
	Skip string
	// ProbeSkips says, per probe in the scenario's order, why that probe does not run ("": it
	// runs).
	ProbeSkips []string
}

// ProbeSkip is why probe i does not run ("": it runs).
func (p Plan) ProbeSkip(i int) string {
	if i < len(p.ProbeSkips) {
		return p.ProbeSkips[i]
	}
	return ""
}

// sharedProbeSkip is the reason every probe is skipped for, when they all are for the same one
// (else ""): the scenario is then skipped as a whole, without creating its namespace and
// clients for nothing.
func (p Plan) sharedProbeSkip() string {
	reason := ""
	for _, r := range p.ProbeSkips {
		if r == "" || (reason != "" && r != reason) {
			return ""
		}
		reason = r
	}
	return reason
}

// PlanIn decides the scenario's plan in w. The scenario does not run when its documented
// behaviour does not apply to the installed Istio or the mode (SkipReason), when it needs a
// gateway and no Envoy can run, when none of its probes runs, or when it needs a CNI that
// enforces NetworkPolicy and the cluster's does not (a live check, once per run). A probe
// does not run when it needs a data plane there is none of, or istio-proxy where the run
// judges upstream Envoy (UpstreamEnvoyGaps).
func (s Scenario) PlanIn(ctx context.Context, w *fixtures.World) (Plan, error) {
	pl := Plan{ProbeSkips: make([]string, len(s.Probes))}
	for i, p := range s.Probes {
		pl.ProbeSkips[i] = p.SkipReason(w)
		if g, ok := UpstreamEnvoyGapOf(s.Name, p.Name); ok && pl.ProbeSkips[i] == "" && w.Cfg.Istio.UpstreamEnvoy {
			pl.ProbeSkips[i] = g.SkipReason()
		}
	}
	if pl.Skip = s.SkipReason(w.Istio, w.Names.Hermetic); pl.Skip != "" {
		return pl, nil
	}
	if s.Requires.Gateway && !w.DataPlane {
		pl.Skip = fixtures.DataPlaneMissing
		return pl, nil
	}
	if pl.Skip = pl.sharedProbeSkip(); pl.Skip != "" {
		return pl, nil
	}
	if s.Requires.NetworkPolicy {
		enforced, why, err := w.NetworkPolicyEnforced(ctx)
		if err != nil {
			return pl, err
		}
		if !enforced {
			pl.Skip = why
		}
	}
	return pl, nil
}
