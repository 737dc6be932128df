package tree

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/harness/config"
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
// that reason. Sessions are closed, and checked for leaks, at the end of the suite
// (UpgradeRun.CloseSessions, a cleanup the setup registers, so it runs before the world's
// teardown). Exclusive scenarios (Serial ones on the shared egress gateway, whose configs
// conflict) hold their config only while their own probes run: withdrawn after phase 1,
// applied again and withdrawn in each later phase, their namespaces and clients (and so
// their sidecars' release) kept throughout.

// phase is one phase of an upgrade run; nil stands for a plain run.
type phase struct {
	n    int
	name string
}

// short is "phase 2".
func (ph *phase) short() string { return fmt.Sprintf("phase %d", ph.n) }

// UpgradeSuiteTimeout bounds a whole upgrade run: three passes and the upgrade.
const UpgradeSuiteTimeout = 4 * time.Hour

// UpgradeRun is the state the phases of an upgrade run share.
type UpgradeRun struct {
	o        Options
	from, to string
	phases   []*phase
	// sessions are the scenarios set up in phase 1 and kept; open are all sessions to close at
	// the end (also half-opened ones); notSetUp says why a scenario has no session.
	sessions, open map[string]Session
	notSetUp       map[string]string
	// prepared is the last probe of each scenario whose config phase 1 applied and fenced;
	// plans are the scenarios' plans as phase 1 decided them.
	prepared map[string]int
	plans    map[string]scenarios.Plan
	// controlPlane is the in-place upgrade, gateway the egress gateway's restart: each runs once.
	controlPlane, gateway step
	// budget bounds a BeforeAll that may run the upgrade or the restarts; setup is the
	// configured setup interval, which bounds the nodes that withdraw config (node timeouts
	// are fixed when the tree is declared, before the suite's setup).
	budget, setup time.Duration
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
		Record(entry.Timing(s.what, time.Since(start).Round(100*time.Millisecond)))
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

// Upgrade declares the phases of an upgrade run for c (already loaded and valid).
func Upgrade(c config.Config, o Options) *UpgradeRun {
	up := &UpgradeRun{
		o:    o,
		from: c.Istio.Version, to: c.Istio.UpgradeTo,
		sessions: map[string]Session{}, open: map[string]Session{}, notSetUp: map[string]string{},
		prepared: map[string]int{}, plans: map[string]scenarios.Plan{},
		budget: 4*c.Intervals.Setup + 5*time.Minute, setup: c.Intervals.Setup,
	}
	up.phases = []*phase{
		{1, "phase 1: Istio " + c.Istio.Version},
		{2, fmt.Sprintf("phase 2: control plane %s, sidecars %s", c.Istio.UpgradeTo, c.Istio.Version)},
		{3, "phase 3: workloads restarted on " + c.Istio.UpgradeTo},
	}
	up.controlPlane.what = fmt.Sprintf("in-place upgrade of the control plane %s → %s", c.Istio.Version, c.Istio.UpgradeTo)
	up.gateway.what = "egress gateway restarted on " + c.Istio.UpgradeTo
	for _, ph := range up.phases {
		// Higher priority runs first: phase 1, 2, 3.
		Describe(ph.name, Label(entry.PhaseLabel(ph.n)), SpecPriority(len(up.phases)-ph.n+1), func() {
			for _, sc := range scenarios.All() {
				if ph.n == 1 {
					up.firstPhase(sc, ph)
				} else {
					up.laterPhase(sc, ph)
				}
			}
		})
	}
	return up
}

// CloseSessions closes every session phase 1 opened and checks that nothing labelled with
// its scenario is left.
func (up *UpgradeRun) CloseSessions(ctx SpecContext) {
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
		left, err := up.o.World().Leftovers(ctx, n)
		if err != nil {
			errs = append(errs, fmt.Errorf("checking what scenario %s left: %w", n, err))
		} else if len(left) > 0 {
			errs = append(errs, fmt.Errorf("scenario %s left objects behind after its cleanup: %s", n, strings.Join(left, ", ")))
		}
	}
	Expect(errors.Join(errs...)).NotTo(HaveOccurred(), "closing the scenarios of the upgrade run")
}
