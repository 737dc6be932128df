//go:build e2e

package egress

import (
	"fmt"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/scenarios"
)

// Every registered scenario becomes one Ordered container (reported at the scenario's own
// file) with one spec per probe. Configuration is read lazily inside nodes: the tree is
// built before BeforeSuite loads it.
var _ = func() bool {
	for _, sc := range scenarios.All() {
		sc := sc
		file, line := sc.Location()
		labels := Label(labelsOf(sc)...)
		at := types.CodeLocation{FileName: file, LineNumber: line}
		decorators := []any{Ordered, ContinueOnFailure, labels, at}
		if sc.HasLabel(scenarios.Serial) {
			decorators = append(decorators, Serial)
		}
		Describe(sc.Name, append(decorators, func() {
			var sess *fixtures.Session
			BeforeAll(func(ctx SpecContext) {
				AddReportEntry("scenario", sc.Name)
				AddReportEntry("source", sc.Source)
				AddReportEntry("summary", sc.Summary)
				if r := sc.SkipReason(world.Istio, world.Names.Hermetic); r != "" {
					Skip(r)
				}
				if sc.Requires.Gateway && !world.DataPlane {
					Skip(fixtures.DataPlaneMissing)
				}
				if sc.Requires.NetworkPolicy {
					enforced, why, err := world.NetworkPolicyEnforced(ctx)
					Expect(err).NotTo(HaveOccurred(), "checking whether the CNI enforces NetworkPolicy")
					if !enforced {
						Skip(why)
					}
				}
				if p := sc.Requires.MeshPolicy; p != "" {
					Expect(world.SetMeshOutboundPolicy(ctx, string(p))).To(Succeed(), "switching the mesh-wide outbound policy")
					DeferCleanup(func(ctx SpecContext) {
						Expect(world.SetMeshOutboundPolicy(ctx, string(scenarios.AllowAny))).To(Succeed(), "restoring the mesh-wide outbound policy")
					}, NodeTimeout(10*time.Minute))
				}
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

			for i, p := range sc.Probes {
				p := p
				It(fmt.Sprintf("%s: %s", p.Name, p.Expect), func(ctx SpecContext) {
					if r := p.SkipReason(world); r != "" {
						Skip(r)
					}
					Expect(p.Prepare(ctx, sess)).To(Succeed(), "applying the probe's config")
					runProbe(ctx, sess, sc, i, p)
				}, at, NodeTimeout(probeBudget()))
			}
		})...)
	}
	return true
}()

func labelsOf(s scenarios.Scenario) []string {
	out := make([]string, len(s.Labels))
	for i, l := range s.Labels {
		out[i] = string(l)
	}
	return out
}

// probeBudget bounds one probe spec (propagation, the negative window and slow requests).
// It is fixed: node timeouts are set while the tree is built, before the configuration is
// loaded, so it cannot follow the configured intervals; those bound the waits inside.
func probeBudget() time.Duration { return 10 * time.Minute }

// runProbe applies the outcome discipline:
//   - positive: Eventually, within the propagation interval, N consecutive passes;
//   - negative: the config is fenced (Prepare), so the very first attempt must already be
//     negative, and every attempt over the negative window must stay so: Consistently.
//     A negative outcome is never retried until it passes.
func runProbe(ctx SpecContext, sess *fixtures.Session, sc scenarios.Scenario, idx int, p scenarios.Probe) {
	iv := cfg.Intervals
	attempt := 0
	var last scenarios.Result
	try := func(ctx SpecContext) error {
		attempt++
		id := fmt.Sprintf("%s-%d-%d-%s", sc.Name, idx, attempt, cfg.RunID)
		last = p.Attempt(ctx, sess, id, iv.Probe, iv.Poll)
		recordEvidence(sc, p, attempt, last)
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
		AddReportEntry("not-checked", na)
	}
}
