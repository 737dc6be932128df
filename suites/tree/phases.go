package tree

import (
	"fmt"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/scenarios"
)

// firstPhase is a scenario in phase 1: as in a plain run, except that the session is kept for
// the later phases (a scenario that switches the mesh-wide policy runs as in a plain run).
func (up *UpgradeRun) firstPhase(sc scenarios.Scenario, ph *phase) {
	o := up.o
	at := scenarioLocation(sc)
	Describe(sc.Name, append(scenarioDecorators(sc), func() {
		var st opened
		BeforeAll(func(ctx SpecContext) {
			reportScenario(sc)
			up.notSetUp[sc.Name] = "its phase 1 set-up did not finish"
			var err error
			st.plan, err = o.World().Plan(ctx, sc)
			if err != nil {
				up.notSetUp[sc.Name] = "phase 1 could not tell whether it applies: " + firstLine(err.Error())
			}
			Expect(err).NotTo(HaveOccurred(), "deciding whether the scenario runs (the CNI's NetworkPolicy check)")
			up.plans[sc.Name] = st.plan // the later phases run the probes it runs
			if st.plan.Skip != "" {
				up.notSetUp[sc.Name] = st.plan.Skip
				Skip(st.plan.Skip)
			}
			if sc.Requires.MeshPolicy != "" {
				up.notSetUp[sc.Name] = fixtures.MeshPolicySkip
				o.setMeshPolicy(ctx, sc)
				o.checkLeftovers(sc)
			}
			st.sess, err = o.World().Open(ctx, sc)
			switch {
			case st.sess != nil && sc.Requires.MeshPolicy != "":
				DeferCleanup(func(ctx SpecContext) { Expect(st.sess.Close(ctx)).To(Succeed()) }, NodeTimeout(o.Config().Intervals.Setup))
			case st.sess != nil:
				up.open[sc.Name] = st.sess // closed at the end of the suite, after phase 3
			}
			if err != nil {
				up.notSetUp[sc.Name] = "opening its namespace and clients failed in phase 1: " + firstLine(err.Error())
			}
			Expect(err).NotTo(HaveOccurred(), "opening the scenario's namespace and clients")
			if sc.Requires.MeshPolicy == "" {
				up.sessions[sc.Name] = st.sess
				delete(up.notSetUp, sc.Name)
			}
		}, at, NodeTimeout(10*time.Minute))

		o.probeSpecs(sc, &st, ph, func(i int) { up.prepared[sc.Name] = i })
		if sc.Exclusive() {
			AfterAll(func(ctx SpecContext) {
				if st.sess != nil && up.sessions[sc.Name] == st.sess {
					Expect(st.sess.Withdraw(ctx)).To(Succeed(), "withdrawing the config of an exclusive scenario after phase 1")
				}
			}, at, NodeTimeout(up.setup))
		}
	})...)
}

// holdConfig gives an exclusive scenario (scenarios.Scenario.Exclusive) its config back for
// this phase's probes, and withdraws it after them, so that no two of them hold config on
// the shared egress gateway at once.
func (up *UpgradeRun) holdConfig(ctx SpecContext, sc scenarios.Scenario, sess Session, ph *phase) {
	if !sc.Exclusive() {
		return
	}
	Expect(sess.Reapply(ctx)).To(Succeed(), "applying the exclusive scenario's config again for "+ph.short())
	DeferCleanup(func(ctx SpecContext) {
		Expect(sess.Withdraw(ctx)).To(Succeed(), "withdrawing the exclusive scenario's config after "+ph.short())
	}, NodeTimeout(up.o.Config().Intervals.Setup))
}

// laterPhase is a scenario in phase 2 (after the control-plane upgrade: old sidecars) or 3
// (after its workloads were restarted): the session of phase 1, nothing applied again.
func (up *UpgradeRun) laterPhase(sc scenarios.Scenario, ph *phase) {
	o := up.o
	at := scenarioLocation(sc)
	complete := sc.CompleteConfigFrom()
	Describe(sc.Name, append(scenarioDecorators(sc), func() {
		var sess Session
		BeforeAll(func(ctx SpecContext) {
			reportScenario(sc)
			sess = up.sessions[sc.Name]
			if sess == nil {
				r := up.notSetUp[sc.Name]
				if r == fixtures.MeshPolicySkip {
					Skip(r)
				}
				if r == "" {
					r = "not selected in phase 1"
				}
				Skip("not verified in " + ph.short() + ": the scenario was not set up in phase 1: " + r)
			}
			by := sc.Name + " (" + ph.short() + ")"
			up.controlPlane.require(by, func() error { return o.World().UpgradeControlPlane(ctx) })
			if ph.n == 2 {
				proxies := reportProxies(ctx, sess)
				// The phase is about old sidecars on the new control plane: nothing may have
				// restarted them.
				// Both by the image the pod runs and by the version the proxy itself reports.
				old := version.MustParse(up.from)
				for _, p := range proxies {
					if strings.HasSuffix(p.Role, " client") {
						Expect(p.Known && p.Release.Compare(old) == 0 && p.Reported == up.from).To(BeTrue(),
							"phase 2 needs the scenario's sidecars still on %s (nothing restarts them in an in-place upgrade), but %s", old, p)
					}
				}
				up.holdConfig(ctx, sc, sess, ph)
				return
			}
			up.gateway.require(by, func() error { return o.World().RestartGateway(ctx) })
			Expect(sess.RestartWorkloads(ctx)).To(Succeed(), "restarting the scenario's workloads on %s", up.to)
			for _, p := range reportProxies(ctx, sess) {
				Expect(p.Reported).To(Equal(up.to), "phase 3 needs every proxy of the scenario on %s, reported by the proxy itself: %s", up.to, p)
			}
			up.holdConfig(ctx, sc, sess, ph)
		}, at, NodeTimeout(up.budget))

		for i, p := range sc.Probes {
			It(o.probeText(sc, p), func(ctx SpecContext) {
				if i < complete {
					Skip(fixtures.IntermediateConfigSkip)
				}
				if r := up.plans[sc.Name].ProbeSkip(i); r != "" {
					Skip(r)
				}
				if n, ok := up.prepared[sc.Name]; !ok || n < complete {
					Skip(fmt.Sprintf("not verified in %s: phase 1 did not get the scenario's complete config to its proxies (probe %s applies the last of it)", ph.short(), sc.Probes[complete].Name))
				}
				Expect(sess.Await(ctx, i)).To(Succeed(), "the scenario's config reaching the probe's proxies ("+ph.short()+", nothing applied again)")
				o.runProbe(ctx, sess, sc, i, ph)
			}, at, NodeTimeout(o.ProbeBudget))
		}
	})...)
}

// reportProxies records which release each of the session's proxies runs ("proxies" entry).
func reportProxies(ctx SpecContext, sess Session) []fixtures.ProxyRelease {
	proxies, err := sess.Proxies(ctx)
	Expect(err).NotTo(HaveOccurred(), "reading the releases of the scenario's proxies")
	Record(fixtures.ProxiesEntry(proxies))
	return proxies
}
