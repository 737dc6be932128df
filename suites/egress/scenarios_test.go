//go:build e2e

package egress

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

// buildScenarioTree is the plain run: every registered scenario becomes one Ordered container
// (reported at the scenario's own file) with one spec per probe. Configuration is read lazily
// inside nodes: the setup (SynchronizedBeforeSuite) is where it takes effect.
func buildScenarioTree() {
	for _, sc := range scenarios.All() {
		sc := sc
		at := scenarioLocation(sc)
		Describe(sc.Name, append(scenarioDecorators(sc), func() {
			var (
				sess *fixtures.Session
				plan scenarios.Plan
			)
			BeforeAll(func(ctx SpecContext) {
				reportScenario(sc)
				plan = planScenario(ctx, sc)
				setMeshPolicy(ctx, sc)
				// Registered first, so it runs last: after the session closed, nothing labelled
				// with this scenario may remain anywhere in the cluster.
				DeferCleanup(func(ctx SpecContext) {
					left, err := world.Leftovers(ctx, sc.Name)
					Expect(err).NotTo(HaveOccurred())
					Expect(left).To(BeEmpty(), "objects %s left behind after its cleanup", sc.Name)
				}, NodeTimeout(time.Minute))
				var err error
				sess, err = sc.Open(ctx, world)
				if sess != nil {
					DeferCleanup(func(ctx SpecContext) { Expect(sess.Close(ctx)).To(Succeed()) }, NodeTimeout(cfg.Intervals.Setup))
				}
				Expect(err).NotTo(HaveOccurred(), "opening the scenario's namespace and clients")
			}, at, NodeTimeout(10*time.Minute))

			probeSpecs(sc, &sess, &plan, nil, nil)
		})...)
	}
}

// probeSpecs adds one spec per probe of sc: skipped when its plan says so, otherwise its
// config is applied and the probe judged (runProbe). sess and plan point at what the
// container's BeforeAll opens and decides; prepared, when not nil, hears which probe's config
// went in. ph is the upgrade phase (nil: a plain run).
func probeSpecs(sc scenarios.Scenario, sess **fixtures.Session, plan *scenarios.Plan, ph *phase, prepared func(i int)) {
	at := scenarioLocation(sc)
	for i, p := range sc.Probes {
		It(probeText(sc, p), func(ctx SpecContext) {
			if r := plan.ProbeSkip(i); r != "" {
				Skip(r)
			}
			Expect(p.Prepare(ctx, *sess)).To(Succeed(), "applying the probe's config")
			for _, h := range (*sess).CheckedProxies() {
				record(entry.New(entry.Proxy, h.String()))
			}
			if prepared != nil {
				prepared(i)
			}
			runProbe(ctx, *sess, sc, i, p, ph)
		}, at, NodeTimeout(probeBudget()))
	}
}

// scenarioDecorators are a scenario container's decorators: Ordered (probes build on each
// other's config), ContinueOnFailure, its labels, its own file, Serial where it says so.
func scenarioDecorators(sc scenarios.Scenario) []any {
	d := []any{Ordered, ContinueOnFailure, Label(labelsOf(sc)...), scenarioLocation(sc)}
	if sc.HasLabel(scenarios.Serial) {
		d = append(d, Serial)
	}
	return d
}

func scenarioLocation(sc scenarios.Scenario) types.CodeLocation {
	file, line := sc.Location()
	return types.CodeLocation{FileName: file, LineNumber: line}
}

// probeText is a probe spec's text, "probe: expectation", with the names of the run's mode
// (hermetic when the configuration does not load: such a run fails in its setup).
func probeText(sc scenarios.Scenario, p scenarios.Probe) string {
	mode := config.Hermetic
	if loadErr == nil && loaded.Mode != "" {
		mode = loaded.Mode
	}
	return scenarios.Text(p, mode, sc.Name)
}

// reportScenario records the scenario's entries (on the container's first spec).
func reportScenario(sc scenarios.Scenario) {
	record(entry.New(entry.Scenario, sc.Name))
	record(entry.New(entry.Source, sc.Source))
	record(entry.New(entry.Summary, sc.Summary))
}

// planScenario decides the scenario's plan (scenarios.Scenario.PlanIn) and skips the
// container when the scenario does not run.
func planScenario(ctx SpecContext, sc scenarios.Scenario) scenarios.Plan {
	plan, err := sc.PlanIn(ctx, world)
	Expect(err).NotTo(HaveOccurred(), "deciding whether the scenario runs (the CNI's NetworkPolicy check)")
	if plan.Skip != "" {
		Skip(plan.Skip)
	}
	return plan
}

// setMeshPolicy switches the mesh-wide outbound policy for a scenario that needs it, and back
// when its container ends.
func setMeshPolicy(ctx SpecContext, sc scenarios.Scenario) {
	p := sc.Requires.MeshPolicy
	if p == "" {
		return
	}
	Expect(world.SetMeshOutboundPolicy(ctx, p)).To(Succeed(), "switching the mesh-wide outbound policy")
	DeferCleanup(func(ctx SpecContext) {
		Expect(world.SetMeshOutboundPolicy(ctx, scenarios.AllowAny)).To(Succeed(), "restoring the mesh-wide outbound policy")
	}, NodeTimeout(10*time.Minute))
}

func labelsOf(s scenarios.Scenario) []string {
	out := make([]string, len(s.Labels))
	for i, l := range s.Labels {
		out[i] = string(l)
	}
	return out
}

// probeBudget bounds one probe spec (propagation, the negative window and slow requests).
// It is fixed: node timeouts are set while the tree is built, and the plain tree does not
// depend on the configuration; the configured intervals bound the waits inside.
func probeBudget() time.Duration { return 10 * time.Minute }

// runProbe applies the outcome discipline:
//   - positive: Eventually, within the propagation interval, N consecutive passes;
//   - negative: the config is fenced (Prepare), so the very first attempt must already be
//     negative, and every attempt over the negative window must stay so: Consistently.
//     A negative outcome is never retried until it passes.
//
// ph is the upgrade phase the probe runs in (nil: a plain run); it keeps probe ids and
// evidence files apart between phases.
func runProbe(ctx SpecContext, sess *fixtures.Session, sc scenarios.Scenario, idx int, p scenarios.Probe, ph *phase) {
	iv := cfg.Intervals
	attempt := 0
	var last scenarios.Result
	try := func(ctx SpecContext) error {
		attempt++
		id := fmt.Sprintf("%s-%d-%d-%s", sc.Name, idx, attempt, cfg.RunID)
		if ph != nil {
			id = fmt.Sprintf("%s-%d-p%d-%d-%s", sc.Name, idx, ph.n, attempt, cfg.RunID)
		}
		last = p.Attempt(ctx, sess, id, iv.Probe, iv.Poll)
		recordEvidence(sc, p, ph, attempt, last)
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
		record(entry.New(entry.NotChecked, na))
	}
}
