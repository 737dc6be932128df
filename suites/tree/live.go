package tree

import (
	"context"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/scenarios"
)

// Live is the World of a real run: w's cluster, Istio and outside world, the scenarios'
// own code (scenarios.Scenario, scenarios.Probe) acting on them. A nil w (no world yet)
// gives nil.
func Live(w *fixtures.World) World {
	if w == nil {
		return nil
	}
	return liveWorld{w}
}

type liveWorld struct{ *fixtures.World }

func (l liveWorld) Plan(ctx context.Context, sc scenarios.Scenario) (scenarios.Plan, error) {
	return sc.PlanIn(ctx, l.World)
}

func (l liveWorld) Open(ctx context.Context, sc scenarios.Scenario) (Session, error) {
	s, err := sc.Open(ctx, l.World)
	if s == nil {
		return nil, err
	}
	return &liveSession{s, sc}, err
}

// liveSession runs a scenario's probes on its fixtures.Session.
type liveSession struct {
	*fixtures.Session
	sc scenarios.Scenario
}

func (l *liveSession) CheckedProxies() []string {
	hs := l.Session.CheckedProxies()
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = h.String()
	}
	return out
}

func (l *liveSession) Withdraw(ctx context.Context) error { return l.sc.Withdraw(ctx, l.Session) }
