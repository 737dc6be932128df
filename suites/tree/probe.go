package tree

import (
	"context"
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

// A probe's way from its spec to its verdict: probeSpecs declares it, runProbe judges its
// attempts, and in a live run liveSession hands each step to the scenario's own code
// (scenarios/run.go).

// probeSpecs adds one spec per probe of sc: skipped when its plan says so, otherwise its
// config is applied and the probe judged (runProbe). st is what the container's BeforeAll
// opens and decides; prepared, when not nil, hears which probe's config
// went in. ph is the upgrade phase (nil: a plain run).
func (o Options) probeSpecs(sc scenarios.Scenario, st *opened, ph *phase, prepared func(i int)) {
	at := scenarioLocation(sc)
	for i, p := range sc.Probes {
		It(o.probeText(sc, p), func(ctx SpecContext) {
			if r := st.plan.ProbeSkip(i); r != "" {
				Skip(r)
			}
			Expect(st.sess.Prepare(ctx, i)).To(Succeed(), "applying the probe's config")
			for _, h := range st.sess.CheckedProxies() {
				Record(entry.New(entry.Proxy, h))
			}
			if prepared != nil {
				prepared(i)
			}
			o.runProbe(ctx, st.sess, sc, i, ph)
		}, at, NodeTimeout(o.ProbeBudget))
	}
}

// probeText is a probe spec's text, "probe: expectation", with the names of the run's mode.
func (o Options) probeText(sc scenarios.Scenario, p scenarios.Probe) string {
	return scenarios.Text(p, o.Mode, sc.Name)
}

// runProbe applies the outcome discipline:
//   - positive: Eventually, within the propagation interval, N consecutive passes;
//   - negative: the config is fenced (Prepare), so the very first attempt must already be
//     negative, and every attempt over the negative window must stay so: Consistently.
//     A negative outcome is never retried until it passes.
//
// ph is the upgrade phase the probe runs in (nil: a plain run); it keeps probe ids and
// evidence files apart between phases.
func (o Options) runProbe(ctx SpecContext, sess Session, sc scenarios.Scenario, idx int, ph *phase) {
	cfg := o.Config()
	p := sc.Probes[idx]
	iv := cfg.Intervals
	attempt := 0
	var last scenarios.Result
	try := func(ctx SpecContext) error {
		attempt++
		id := fmt.Sprintf("%s-%d-%d-%s", sc.Name, idx, attempt, cfg.RunID)
		if ph != nil {
			id = fmt.Sprintf("%s-%d-p%d-%d-%s", sc.Name, idx, ph.n, attempt, cfg.RunID)
		}
		last = sess.Attempt(ctx, idx, id)
		recordEvidence(cfg, sc, p, ph, attempt, last)
		return last.Err
	}
	if p.Expect.Negative {
		Consistently(ctx, try).WithTimeout(iv.NegativeWindow).WithPolling(iv.Poll).Should(Succeed(),
			"the negative outcome must hold from the first attempt through the whole window")
	} else {
		Eventually(ctx, try).WithTimeout(iv.Propagation).WithPolling(iv.Poll).MustPassRepeatedly(cfg.Converge).Should(Succeed(),
			fmt.Sprintf("%d consecutive passes within %s", cfg.Converge, iv.Propagation))
	}
	for _, na := range last.NotApplicable {
		Record(entry.New(entry.NotChecked, na))
	}
}

func (l *liveSession) Prepare(ctx context.Context, i int) error {
	return l.sc.Probes[i].Prepare(ctx, l.Session)
}

func (l *liveSession) Await(ctx context.Context, i int) error {
	return l.sc.Probes[i].Await(ctx, l.Session)
}

// Attempt reads the evidence for up to the probe interval, every poll interval
// (scenarios.Probe.Attempt).
func (l *liveSession) Attempt(ctx context.Context, i int, id string) scenarios.Result {
	iv := l.W.Cfg.Intervals
	return l.sc.Probes[i].Attempt(ctx, l.Session, id, iv.Probe, iv.Poll)
}
