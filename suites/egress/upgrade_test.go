//go:build e2e

package egress

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

// Upgrade gating (docs/upgrade.md), when istio.upgradeTo is set:
//
//	phase 1: Istio A                          every scenario set up once (its config applied,
//	                                          its sessions kept) and every probe verified
//	phase 2: control plane B, sidecars A      after an in-place upgrade of the control plane:
//	                                          the same sessions, their untouched A sidecars
//	phase 3: workloads restarted on B         after the gateway and each scenario's workloads
//	                                          were restarted
//
// Each phase is a top-level container labelled phase:<n> holding one Ordered container per
// scenario and one spec per probe, so the reports show scenario × probe × phase. The phases
// run in order (SpecPriority; Ginkgo shuffles only within a priority); the upgrade and the
// restarts run once, in the BeforeAll of the first scenario of the phase that needs them, so
// label filters never leave them out. Phases 2 and 3 verify the probes that ran against the
// scenario's complete config (scenarios.CompleteConfigFrom); the others are skipped with
// that reason. Sessions are closed, and checked for leaks, at the end of the suite (a cleanup
// the setup registers, so it runs before the world's teardown). Exclusive scenarios (Serial
// ones on the shared egress gateway, whose configs conflict) hold their config only while
// their own probes run: withdrawn after phase 1, applied again and withdrawn in each later
// phase, their namespaces and clients (and so their sidecars' release) kept throughout.

// phase is one phase of an upgrade run; nil stands for a plain run.
type phase struct {
	n    int
	name string
}

// short is "phase 2".
func (ph *phase) short() string { return fmt.Sprintf("phase %d", ph.n) }

// upgradeSuiteTimeout bounds a whole upgrade run: three passes and the upgrade.
const upgradeSuiteTimeout = 4 * time.Hour

// up is the state the phases of an upgrade run share (nil in a plain run).
var up *upgradeRun

type upgradeRun struct {
	from, to string
	phases   []*phase
	// sessions are the scenarios set up in phase 1 and kept; open are all sessions to close at
	// the end (also half-opened ones); notSetUp says why a scenario has no session.
	sessions, open map[string]*fixtures.Session
	notSetUp       map[string]string
	// prepared is the last probe of each scenario whose config phase 1 applied and fenced;
	// plans are the scenarios' plans as phase 1 decided them.
	prepared map[string]int
	plans    map[string]scenarios.Plan
	// controlPlane is the in-place upgrade, gateway the egress gateway's restart: each runs once.
	controlPlane, gateway step
	// budget bounds a BeforeAll that may run the upgrade or the restarts.
	budget time.Duration
}

// step is an action of the run that the first scenario needing it performs.
type step struct {
	what string
	done bool
	err  error
	by   string // the scenario and phase whose BeforeAll ran it
}

// require runs the step the first time (reporting its duration as a timing entry) and gives
// later callers its outcome. A failed step fails the BeforeAll that ran it, with the whole
// error; the scenarios after it are skipped with a reason that points there.
func (s *step) require(by string, run func() error) {
	if !s.done {
		s.done, s.by = true, by
		start := time.Now()
		s.err = run()
		record(entry.Timing(s.what, time.Since(start).Round(100*time.Millisecond)))
		Expect(s.err).NotTo(HaveOccurred(), s.what)
		return
	}
	if s.err != nil {
		Skip(fmt.Sprintf("not run: %s failed (reported on %s): %s", s.what, s.by, firstLine(s.err.Error())))
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if len(line) > 300 {
		line = line[:300] + "…"
	}
	return line
}

// buildUpgradeTree declares the phases for c (already loaded and valid).
func buildUpgradeTree(c config.Config) {
	up = &upgradeRun{
		from: c.Istio.Version, to: c.Istio.UpgradeTo,
		sessions: map[string]*fixtures.Session{}, open: map[string]*fixtures.Session{}, notSetUp: map[string]string{},
		prepared: map[string]int{}, plans: map[string]scenarios.Plan{},
		budget: 4*c.Intervals.Setup + 5*time.Minute,
	}
	up.phases = []*phase{
		{1, "phase 1: Istio " + c.Istio.Version},
		{2, fmt.Sprintf("phase 2: control plane %s, sidecars %s", c.Istio.UpgradeTo, c.Istio.Version)},
		{3, "phase 3: workloads restarted on " + c.Istio.UpgradeTo},
	}
	up.controlPlane.what = fmt.Sprintf("in-place upgrade of the control plane %s → %s", c.Istio.Version, c.Istio.UpgradeTo)
	up.gateway.what = "egress gateway restarted on " + c.Istio.UpgradeTo
	for _, ph := range up.phases {
		ph := ph
		// Higher priority runs first: phase 1, 2, 3.
		Describe(ph.name, Label(entry.PhaseLabel(ph.n)), SpecPriority(len(up.phases)-ph.n+1), func() {
			for _, sc := range scenarios.All() {
				if ph.n == 1 {
					firstPhase(sc, ph)
				} else {
					laterPhase(sc, ph)
				}
			}
		})
	}
}

// firstPhase is a scenario in phase 1: as in a plain run, except that the session is kept for
// the later phases (a scenario that switches the mesh-wide policy runs as in a plain run).
func firstPhase(sc scenarios.Scenario, ph *phase) {
	at := scenarioLocation(sc)
	Describe(sc.Name, append(scenarioDecorators(sc), func() {
		var (
			sess *fixtures.Session
			plan scenarios.Plan
		)
		BeforeAll(func(ctx SpecContext) {
			reportScenario(sc)
			up.notSetUp[sc.Name] = "its phase 1 set-up did not finish"
			var err error
			plan, err = sc.PlanIn(ctx, world)
			if err != nil {
				up.notSetUp[sc.Name] = "phase 1 could not tell whether it applies: " + firstLine(err.Error())
			}
			Expect(err).NotTo(HaveOccurred(), "deciding whether the scenario runs (the CNI's NetworkPolicy check)")
			up.plans[sc.Name] = plan // the later phases run the probes it runs
			if plan.Skip != "" {
				up.notSetUp[sc.Name] = plan.Skip
				Skip(plan.Skip)
			}
			if sc.Requires.MeshPolicy != "" {
				up.notSetUp[sc.Name] = fixtures.MeshPolicySkip
				setMeshPolicy(ctx, sc)
				DeferCleanup(func(ctx SpecContext) {
					left, err := world.Leftovers(ctx, sc.Name)
					Expect(err).NotTo(HaveOccurred())
					Expect(left).To(BeEmpty(), "objects %s left behind after its cleanup", sc.Name)
				}, NodeTimeout(time.Minute))
			}
			sess, err = sc.Open(ctx, world)
			switch {
			case sess != nil && sc.Requires.MeshPolicy != "":
				DeferCleanup(func(ctx SpecContext) { Expect(sess.Close(ctx)).To(Succeed()) }, NodeTimeout(cfg.Intervals.Setup))
			case sess != nil:
				up.open[sc.Name] = sess // closed at the end of the suite, after phase 3
			}
			if err != nil {
				up.notSetUp[sc.Name] = "opening its namespace and clients failed in phase 1: " + firstLine(err.Error())
			}
			Expect(err).NotTo(HaveOccurred(), "opening the scenario's namespace and clients")
			if sc.Requires.MeshPolicy == "" {
				up.sessions[sc.Name] = sess
				delete(up.notSetUp, sc.Name)
			}
		}, at, NodeTimeout(10*time.Minute))

		probeSpecs(sc, &sess, &plan, ph, func(i int) { up.prepared[sc.Name] = i })
		if sc.Exclusive() {
			AfterAll(func(ctx SpecContext) {
				if sess != nil && up.sessions[sc.Name] == sess {
					Expect(sc.Withdraw(ctx, sess)).To(Succeed(), "withdrawing the config of an exclusive scenario after phase 1")
				}
			}, at, NodeTimeout(cfg.Intervals.Setup))
		}
	})...)
}

// holdConfig gives an exclusive scenario (scenarios.Scenario.Exclusive) its config back for
// this phase's probes, and withdraws it after them, so that no two of them hold config on
// the shared egress gateway at once.
func holdConfig(ctx SpecContext, sc scenarios.Scenario, sess *fixtures.Session, ph *phase) {
	if !sc.Exclusive() {
		return
	}
	Expect(sess.Reapply(ctx)).To(Succeed(), "applying the exclusive scenario's config again for "+ph.short())
	DeferCleanup(func(ctx SpecContext) {
		Expect(sc.Withdraw(ctx, sess)).To(Succeed(), "withdrawing the exclusive scenario's config after "+ph.short())
	}, NodeTimeout(cfg.Intervals.Setup))
}

// laterPhase is a scenario in phase 2 (after the control-plane upgrade: old sidecars) or 3
// (after its workloads were restarted): the session of phase 1, nothing applied again.
func laterPhase(sc scenarios.Scenario, ph *phase) {
	at := scenarioLocation(sc)
	complete := sc.CompleteConfigFrom()
	Describe(sc.Name, append(scenarioDecorators(sc), func() {
		var sess *fixtures.Session
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
			up.controlPlane.require(by, func() error { return world.UpgradeControlPlane(ctx) })
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
				holdConfig(ctx, sc, sess, ph)
				return
			}
			up.gateway.require(by, func() error { return world.RestartGateway(ctx) })
			Expect(sess.RestartWorkloads(ctx)).To(Succeed(), "restarting the scenario's workloads on %s", up.to)
			for _, p := range reportProxies(ctx, sess) {
				Expect(p.Reported).To(Equal(up.to), "phase 3 needs every proxy of the scenario on %s, reported by the proxy itself: %s", up.to, p)
			}
			holdConfig(ctx, sc, sess, ph)
		}, at, NodeTimeout(up.budget))

		for i, p := range sc.Probes {
			It(probeText(sc, p), func(ctx SpecContext) {
				if i < complete {
					Skip(fixtures.IntermediateConfigSkip)
				}
				if r := up.plans[sc.Name].ProbeSkip(i); r != "" {
					Skip(r)
				}
				if n, ok := up.prepared[sc.Name]; !ok || n < complete {
					Skip(fmt.Sprintf("not verified in %s: phase 1 did not get the scenario's complete config to its proxies (probe %s applies the last of it)", ph.short(), sc.Probes[complete].Name))
				}
				Expect(p.Await(ctx, sess)).To(Succeed(), "the scenario's config reaching the probe's proxies ("+ph.short()+", nothing applied again)")
				runProbe(ctx, sess, sc, i, p, ph)
			}, at, NodeTimeout(probeBudget()))
		}
	})...)
}

// reportProxies records which release each of the session's proxies runs ("proxies" entry).
func reportProxies(ctx SpecContext, sess *fixtures.Session) []fixtures.ProxyRelease {
	proxies, err := sess.Proxies(ctx)
	Expect(err).NotTo(HaveOccurred(), "reading the releases of the scenario's proxies")
	record(fixtures.ProxiesEntry(proxies))
	return proxies
}

// closeUpgradeSessions closes every session phase 1 opened and checks that nothing labelled
// with its scenario is left.
func closeUpgradeSessions(ctx SpecContext) {
	if up == nil || world == nil {
		return
	}
	names := make([]string, 0, len(up.open))
	for n := range up.open {
		names = append(names, n)
	}
	sort.Strings(names)
	var errs []error
	for _, n := range names {
		if err := up.open[n].Close(ctx); err != nil {
			errs = append(errs, fmt.Errorf("closing scenario %s: %w", n, err))
			continue
		}
		delete(up.open, n)
		left, err := world.Leftovers(ctx, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("checking what scenario %s left: %w", n, err))
		} else if len(left) > 0 {
			errs = append(errs, fmt.Errorf("scenario %s left objects behind after its cleanup: %s", n, strings.Join(left, ", ")))
		}
	}
	Expect(errors.Join(errs...)).NotTo(HaveOccurred(), "closing the scenarios of the upgrade run")
}
