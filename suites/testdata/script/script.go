// Package script is a tree.World whose outcomes are scripted: the suites under
// suites/testdata run the suite's real tree (package suites/tree) on it to record Ginkgo
// reports of the shapes a real run gives (reports/testdata), without a cluster. Nothing
// here pretends to be a live observation: it only drives the tree into each outcome.
package script

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/parse"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/scenarios"
	"github.com/egressconformance/iec/suites/tree"
)

// Outcome is what a probe's attempts give.
type Outcome int

const (
	// Pass: every attempt meets the expectation.
	Pass Outcome = iota
	// FailsFromSecondAttempt: the first attempt meets it, the later ones do not (a negative
	// that does not hold through its window).
	FailsFromSecondAttempt
	// NeverAnswers: the first attempt hangs until the spec's context ends (its node timeout).
	NeverAnswers
	// FailsInPhase2: attempts fail while the old sidecars run on the new control plane.
	FailsInPhase2
)

// World is a scripted tree.World for the configuration Cfg. Maps are keyed by scenario
// name, or "scenario/probe" for probes; what they leave out passes.
type World struct {
	Cfg      config.Config
	Skip     map[string]string // the plan's skip reason
	OpenErr  map[string]error  // Open's error
	Restart  map[string]error  // RestartWorkloads' error
	Outcomes map[string]Outcome
	// NotChecked is a check the probe could not judge (scenarios.Result.NotApplicable).
	NotChecked map[string]string

	phase int // 1, then 2 after UpgradeControlPlane, 3 after RestartGateway
}

// Properties are the run's properties, as the live world gives them.
func (w *World) Properties() map[string]string {
	fw := &fixtures.World{Cfg: w.Cfg, Istio: version.MustParse(w.Cfg.Istio.Version), DataPlane: true}
	return fw.Properties()
}

func (w *World) Plan(_ context.Context, sc scenarios.Scenario) (scenarios.Plan, error) {
	return scenarios.Plan{Skip: w.Skip[sc.Name]}, nil
}

func (w *World) Open(_ context.Context, sc scenarios.Scenario) (tree.Session, error) {
	if err := w.OpenErr[sc.Name]; err != nil {
		return nil, err
	}
	return &session{w: w, sc: sc, attempts: map[int]int{}}, nil
}

func (w *World) Leftovers(context.Context, string) ([]string, error) { return nil, nil }

func (w *World) SetMeshOutboundPolicy(context.Context, scenarios.Policy) error { return nil }

func (w *World) UpgradeControlPlane(context.Context) error { w.phase = 2; return nil }

func (w *World) RestartGateway(context.Context) error { w.phase = 3; return nil }

type session struct {
	w        *World
	sc       scenarios.Scenario
	attempts map[int]int // by probe, since its config was last prepared or awaited
}

func (s *session) Prepare(_ context.Context, i int) error { s.attempts[i] = 0; return nil }
func (s *session) Await(_ context.Context, i int) error   { s.attempts[i] = 0; return nil }
func (s *session) CheckedProxies() []string               { return nil }
func (s *session) Reapply(context.Context) error          { return nil }
func (s *session) Withdraw(context.Context) error         { return nil }
func (s *session) Close(context.Context) error            { return nil }

func (s *session) RestartWorkloads(context.Context) error { return s.w.Restart[s.sc.Name] }

// Proxies: the client's sidecar, and the egress gateway, on the release of the phase.
func (s *session) Proxies(context.Context) ([]fixtures.ProxyRelease, error) {
	from, to := s.w.Cfg.Istio.Version, s.w.Cfg.Istio.UpgradeTo
	client, gateway := from, from
	if s.w.phase == 3 {
		client, gateway = to, to
	}
	rel := func(role, pod, r string) fixtures.ProxyRelease {
		return fixtures.ProxyRelease{Role: role, Pod: pod, Image: "proxyv2:" + r, Release: version.MustParse(r), Known: true, Reported: r}
	}
	return []fixtures.ProxyRelease{
		rel("sidecar client", fmt.Sprintf("egr-%s-1a2b3c/curl-sidecar", s.sc.Name), client),
		rel("gateway", "istio-system/istio-egressgateway-5d9c7b-x2x4k", gateway),
	}, nil
}

// Attempt gives the probe's scripted outcome: HTTP 200, or 502 for a negative probe, with
// two sidecar log lines; the wrong status where the script says the expectation fails.
func (s *session) Attempt(ctx context.Context, i int, id string) scenarios.Result {
	p := s.sc.Probes[i]
	key := s.sc.Name + "/" + p.Name
	s.attempts[i]++
	n := s.attempts[i]
	if s.w.Outcomes[key] == NeverAnswers {
		<-ctx.Done()
		return scenarios.Result{Err: errors.New("curl exit 28 (operation timed out) after 20s: want HTTP 504")}
	}
	want := 200
	if p.Expect.Negative {
		want = 502
	}
	got := want
	switch s.w.Outcomes[key] {
	case FailsFromSecondAttempt:
		if n >= 2 {
			got = 200
		}
	case FailsInPhase2:
		if s.w.phase == 2 {
			got = 200
		}
	}
	start := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	o := &fixtures.Observation{
		ID: id, Start: start, End: start.Add(time.Duration(100+10*n) * time.Millisecond), Hermetic: true,
		Curl:       parse.Curl{HTTPCode: got, TimeTotal: time.Duration(100+10*n) * time.Millisecond},
		SidecarLog: make([]parse.AccessLogEntry, 2),
	}
	r := scenarios.Result{Observation: o}
	if na := s.w.NotChecked[key]; na != "" {
		r.NotApplicable = []string{na}
	}
	if got != want {
		r.Err = fmt.Errorf("HTTP status: want %d, got %d (scripted)", want, got)
	}
	return r
}

// Config is a recorded run's configuration: run id, fixed releases (from, and to for an
// upgrade run; "" for a plain one), so that the recorded reports do not follow the pins, and
// short windows, so that the whole tree runs in seconds. Evidence files go under
// _out/artifacts of the suite's folder, which the recorded paths name.
func Config(runID, from, to string) config.Config {
	c := config.Default()
	c.RunID, c.ArtifactsDir = runID, "_out/artifacts"
	c.Istio.Version, c.Istio.UpgradeTo = from, to
	c.Intervals.NegativeWindow, c.Intervals.Poll = 60*time.Millisecond, 20*time.Millisecond
	return c
}

// Options are the tree's options for w: the probe budget is short, so that a probe that
// never answers runs into its node timeout.
func (w *World) Options() tree.Options {
	return tree.Options{
		Mode:        w.Cfg.Mode,
		ProbeBudget: 300 * time.Millisecond,
		Config:      func() config.Config { return w.Cfg },
		World:       func() tree.World { return w },
	}
}
