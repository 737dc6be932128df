package reports

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// ProbeKey names one probe of a run: its scenario, its name, and the upgrade phase it ran in
// (0 outside upgrade runs).
type ProbeKey struct {
	Phase    int
	Scenario string
	Probe    string
}

func (k ProbeKey) String() string {
	s := k.Scenario + " / " + k.Probe
	if k.Phase > 0 {
		s = fmt.Sprintf("phase %d: %s", k.Phase, s)
	}
	return s
}

// Change is one probe whose outcome or time differs between two runs. A probe absent from a
// run has the state StateNotRun there.
type Change struct {
	Key       ProbeKey
	Base, New State
	// BaseTook and NewTook are the probe's durations (0 when it did not run).
	BaseTook, NewTook time.Duration
	// Message is the new run's failure message or skip reason, first line.
	Message string
}

// Diff is what changed from a base run to a new one: the questions of an upgrade gate.
type Diff struct {
	Base, New RunSummary
	// NewlyFailing held (or were not judged) in the base run and fail now; NewlyPassing failed
	// and pass now; NoLongerJudged passed and are skipped or missing now; NewlyJudged were
	// skipped or missing and pass now; Slower passed in both and took longer beyond the
	// thresholds.
	NewlyFailing, NewlyPassing, NoLongerJudged, NewlyJudged, Slower []Change
	Unchanged                                                       int
	// SlowerBy and SlowerAtLeast are the thresholds: a probe is slower when it took more than
	// (1 + SlowerBy) times as long and at least SlowerAtLeast more.
	SlowerBy      float64
	SlowerAtLeast time.Duration
}

// RunSummary names a run in a diff.
type RunSummary struct {
	RunID, Istio, Verdict string
	Start                 time.Time
}

// Regressed reports whether the new run is worse: a probe fails that did not, a probe that
// passed is no longer judged, or one is slower beyond the thresholds.
func (d Diff) Regressed() bool {
	return len(d.NewlyFailing)+len(d.NoLongerJudged)+len(d.Slower) > 0
}

// Compare diffs two runs (each the first suite of its report).
func Compare(base, next *Run, slowerBy float64, slowerAtLeast time.Duration) (Diff, error) {
	if len(base.Suites) == 0 || len(next.Suites) == 0 {
		return Diff{}, fmt.Errorf("a report holds no suite: compare the reports of two runs that started")
	}
	b, n := base.Suites[0], next.Suites[0]
	d := Diff{Base: summary(b), New: summary(n), SlowerBy: slowerBy, SlowerAtLeast: slowerAtLeast}
	bs, ns := probes(b), probes(n)
	keys := map[ProbeKey]bool{}
	for k := range bs {
		keys[k] = true
	}
	for k := range ns {
		keys[k] = true
	}
	for k := range keys {
		c := Change{Key: k, Base: StateNotRun, New: StateNotRun}
		if s, ok := bs[k]; ok {
			c.Base, c.BaseTook = s.State, s.Duration
		}
		if s, ok := ns[k]; ok {
			c.New, c.NewTook, c.Message = s.State, s.Duration, firstLineOf(s.Message)
		}
		switch {
		case c.New.IsFailure() && !c.Base.IsFailure():
			d.NewlyFailing = append(d.NewlyFailing, c)
		case c.Base.IsFailure() && c.New == StatePassed:
			d.NewlyPassing = append(d.NewlyPassing, c)
		case c.Base == StatePassed && c.New.IsSkip():
			d.NoLongerJudged = append(d.NoLongerJudged, c)
		case c.Base.IsSkip() && c.New == StatePassed:
			d.NewlyJudged = append(d.NewlyJudged, c)
		case c.Base == StatePassed && c.New == StatePassed &&
			float64(c.NewTook) > float64(c.BaseTook)*(1+slowerBy) && c.NewTook-c.BaseTook >= slowerAtLeast:
			d.Slower = append(d.Slower, c)
		default:
			d.Unchanged++
		}
	}
	for _, l := range [][]Change{d.NewlyFailing, d.NewlyPassing, d.NoLongerJudged, d.NewlyJudged, d.Slower} {
		sort.Slice(l, func(i, j int) bool { return l[i].Key.String() < l[j].Key.String() })
	}
	return d, nil
}

func summary(s *Suite) RunSummary {
	return RunSummary{RunID: s.Property("run-id"), Istio: s.Property("istio-version"), Verdict: string(s.Verdict()), Start: s.Start}
}

// probes are a suite's probe specs by key (suite-level nodes aside).
func probes(s *Suite) map[ProbeKey]*Spec {
	out := map[ProbeKey]*Spec{}
	for _, sp := range s.Specs {
		if sp.IsSuiteNode() || sp.Scenario == "" {
			continue
		}
		out[ProbeKey{Phase: sp.PhaseIndex, Scenario: sp.Scenario, Probe: sp.Probe}] = sp
	}
	return out
}

func firstLineOf(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// Markdown renders the diff for a pull request or a CI step summary.
func (d Diff) Markdown() string {
	var b strings.Builder
	p := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	verdict := "no regression"
	if d.Regressed() {
		verdict = "REGRESSED"
	}
	p("# Egress conformance: what changed — %s\n\n", verdict)
	p("| | base | new |\n|---|---|---|\n")
	p("| run | %s | %s |\n| Istio | %s | %s |\n| verdict | %s | %s |\n| started | %s | %s |\n\n",
		mdCode(d.Base.RunID), mdCode(d.New.RunID), mdCode(d.Base.Istio), mdCode(d.New.Istio), d.Base.Verdict, d.New.Verdict,
		when(d.Base.Start), when(d.New.Start))
	section := func(title string, cs []Change, timing bool) {
		p("## %s (%d)\n\n", title, len(cs))
		if len(cs) == 0 {
			p("_none_\n\n")
			return
		}
		if timing {
			p("| probe | base | new |\n|---|---:|---:|\n")
			for _, c := range cs {
				p("| %s | %s | %s |\n", mdCell(c.Key.String()), c.BaseTook.Round(100*time.Millisecond), c.NewTook.Round(100*time.Millisecond))
			}
		} else {
			p("| probe | base | new | new run says |\n|---|---|---|---|\n")
			for _, c := range cs {
				p("| %s | %s | %s | %s |\n", mdCell(c.Key.String()), c.Base, c.New, mdCell(c.Message))
			}
		}
		p("\n")
	}
	section("Newly failing", d.NewlyFailing, false)
	section("No longer judged (passed, now skipped or missing)", d.NoLongerJudged, false)
	section(fmt.Sprintf("Slower (more than %.0f%% and at least %s longer)", d.SlowerBy*100, d.SlowerAtLeast), d.Slower, true)
	section("Newly passing", d.NewlyPassing, false)
	section("Newly judged (skipped or missing, now passed)", d.NewlyJudged, false)
	p("%d probes unchanged.\n", d.Unchanged)
	return b.String()
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}
