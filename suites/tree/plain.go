package tree

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

// Plain declares the plain run: every registered scenario becomes one Ordered container
// (reported at the scenario's own file) with one spec per probe.
func Plain(o Options) {
	for _, sc := range scenarios.All() {
		at := scenarioLocation(sc)
		Describe(sc.Name, append(scenarioDecorators(sc), func() {
			var st opened
			BeforeAll(func(ctx SpecContext) {
				reportScenario(sc)
				st.plan = o.planScenario(ctx, sc)
				o.setMeshPolicy(ctx, sc)
				// Registered first, so it runs last: after the session closed, nothing labelled
				// with this scenario may remain anywhere in the cluster.
				o.checkLeftovers(sc)
				var err error
				st.sess, err = o.World().Open(ctx, sc)
				if st.sess != nil {
					DeferCleanup(func(ctx SpecContext) { Expect(st.sess.Close(ctx)).To(Succeed()) }, NodeTimeout(o.Config().Intervals.Setup))
				}
				Expect(err).NotTo(HaveOccurred(), "opening the scenario's namespace and clients")
			}, at, NodeTimeout(10*time.Minute))

			o.probeSpecs(sc, &st, nil, nil)
		})...)
	}
}

// opened is what a scenario container's BeforeAll opens and decides, for its specs.
type opened struct {
	sess Session
	plan scenarios.Plan
}

// scenarioDecorators are a scenario container's decorators: Ordered (probes build on each
// other's config), ContinueOnFailure, its labels, its own file, Serial where it says so.
func scenarioDecorators(sc scenarios.Scenario) []any {
	labels := make([]string, len(sc.Labels))
	for i, l := range sc.Labels {
		labels[i] = string(l)
	}
	d := []any{Ordered, ContinueOnFailure, Label(labels...), scenarioLocation(sc)}
	if sc.HasLabel(scenarios.Serial) {
		d = append(d, Serial)
	}
	return d
}

func scenarioLocation(sc scenarios.Scenario) types.CodeLocation {
	file, line := sc.Location()
	return types.CodeLocation{FileName: file, LineNumber: line}
}

// reportScenario records the scenario's entries (on the container's first spec).
func reportScenario(sc scenarios.Scenario) {
	Record(entry.New(entry.Scenario, sc.Name))
	Record(entry.New(entry.Source, sc.Source))
	Record(entry.New(entry.Summary, sc.Summary))
}

// planScenario decides the scenario's plan and skips the container when it does not run.
func (o Options) planScenario(ctx SpecContext, sc scenarios.Scenario) scenarios.Plan {
	plan, err := o.World().Plan(ctx, sc)
	Expect(err).NotTo(HaveOccurred(), "deciding whether the scenario runs (the CNI's NetworkPolicy check)")
	if plan.Skip != "" {
		Skip(plan.Skip)
	}
	return plan
}

// setMeshPolicy switches the mesh-wide outbound policy for a scenario that needs it, and back
// when its container ends.
func (o Options) setMeshPolicy(ctx SpecContext, sc scenarios.Scenario) {
	p := sc.Requires.MeshPolicy
	if p == "" {
		return
	}
	Expect(o.World().SetMeshOutboundPolicy(ctx, p)).To(Succeed(), "switching the mesh-wide outbound policy")
	DeferCleanup(func(ctx SpecContext) {
		Expect(o.World().SetMeshOutboundPolicy(ctx, scenarios.AllowAny)).To(Succeed(), "restoring the mesh-wide outbound policy")
	}, NodeTimeout(10*time.Minute))
}

// checkLeftovers registers the check that nothing labelled with sc remains when the
// cleanups registered after it have run.
func (o Options) checkLeftovers(sc scenarios.Scenario) {
	DeferCleanup(func(ctx SpecContext) {
		left, err := o.World().Leftovers(ctx, sc.Name)
		Expect(err).NotTo(HaveOccurred())
		Expect(left).To(BeEmpty(), "objects %s left behind after its cleanup", sc.Name)
	}, NodeTimeout(time.Minute))
}
