// Package reports renders the sign-off artifacts of a conformance run (JUnit XML, a Markdown
// and a self-contained HTML report) from Ginkgo's JSON report and the scenario catalog.
//
// It never imports Ginkgo: Load decodes the JSON that `ginkgo --json-report` writes (an
// array of suite reports) into this package's own model, so reports can be rendered again
// later from the saved file (cmd/egress-report).
//
// What the suite puts into the Ginkgo report, and where it shows up here:
//
//	property:<key>  (suite-level node, e.g. BeforeSuite)  Suite.Properties
//	timing:<phase>  (any node; a time.Duration)           Suite.Timings
//	scenario, source, summary (first spec of a scenario)  Scenario / Spec fields
//	evidence        ("...; <path>")                       Spec.Evidence
//	not-checked                                           Spec.NotChecked
//	proxies         (upgrade runs: releases of proxies)   Spec.Proxies
//
// An upgrade run nests the scenario containers in one container per phase, labelled
// phase:<n> (Spec.Phase, Suite.Phases); the scenario is the container inside it.
package reports

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"
)

// State is a spec's outcome: Ginkgo's states plus two of this package's own.
type State string

const (
	StatePassed      State = "passed"
	StateFailed      State = "failed"
	StateSkipped     State = "skipped"
	StatePending     State = "pending"
	StateInterrupted State = "interrupted"
	StateAborted     State = "aborted"
	StatePanicked    State = "panicked"
	StateTimedout    State = "timedout"
	// StateListed: the spec was listed by a dry run (Ginkgo says "passed"), never executed.
	StateListed State = "listed"
	// StateNotRun: the catalog has the probe but the report does not (setup failed, the
	// run was cut short, or the scenario was added to the catalog after the run).
	StateNotRun State = "not-run"
)

// IsFailure reports whether the state fails the run.
func (s State) IsFailure() bool {
	switch s {
	case StateFailed, StateInterrupted, StateAborted, StatePanicked, StateTimedout:
		return true
	}
	return s != StatePassed && !s.IsSkip()
}

// IsSkip reports whether the spec did not run to a verdict without failing the run.
func (s State) IsSkip() bool {
	switch s {
	case StateSkipped, StatePending, StateListed, StateNotRun:
		return true
	}
	return false
}

// Label is the short human word for a state ("timed out", "not run").
func (s State) Label() string {
	switch s {
	case StateTimedout:
		return "timed out"
	case StateNotRun:
		return "not run"
	case "":
		return "unknown"
	}
	return string(s)
}

// Location is a place in the source.
type Location struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

func (l Location) String() string {
	switch {
	case l.File == "":
		return ""
	case l.Line > 0:
		return fmt.Sprintf("%s:%d", l.File, l.Line)
	}
	return l.File
}

// Short is the location with the directory cut to the last two elements, for tables.
func (l Location) Short() string {
	if l.File == "" {
		return ""
	}
	dir, file := filepath.Split(filepath.ToSlash(l.File))
	parent := filepath.Base(strings.TrimSuffix(dir, "/"))
	short := file
	if parent != "." && parent != "/" && parent != "" {
		short = parent + "/" + file
	}
	if l.Line > 0 {
		return fmt.Sprintf("%s:%d", short, l.Line)
	}
	return short
}

// Property is one suite property (istio-version, kind-node-image, run-id…).
type Property struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Timing is one setup phase, from a "timing:<phase>" report entry.
type Timing struct {
	Phase string `json:"phase"`
	// Raw is the entry's value as written; Took is it parsed (zero if it did not parse).
	Raw  string        `json:"raw"`
	Took time.Duration `json:"took"`
}

// Entry is one report entry as the suite added it.
type Entry struct {
	Name  string    `json:"name"`
	Value string    `json:"value"`
	Time  time.Time `json:"time,omitzero"`
}

// Evidence is one "evidence" entry: a one-line summary that ends with the file it is in.
type Evidence struct {
	Text string `json:"text"`
	// Path is the evidence file as the run wrote it ("" if the entry names none).
	Path string `json:"path,omitempty"`
}

// Note is the entry's text without the trailing path.
func (e Evidence) Note() string {
	if e.Path == "" {
		return e.Text
	}
	return strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(e.Text, e.Path)), ";")
}

// Link is where the evidence file is relative to the reports, which are written into the
// artifacts directory that holds scenarios/<scenario>/<probe>/…; other paths as written.
func (e Evidence) Link() string {
	p := filepath.ToSlash(e.Path)
	if i := strings.LastIndex(p, "/scenarios/"); i >= 0 {
		return p[i+1:]
	}
	// Anything else as written: a relative path, or an absolute one (which a report opened
	// from file:// resolves on the same machine).
	return p
}

// Spec is one Ginkgo spec: a probe of a scenario, or a suite-level node (setup, teardown).
type Spec struct {
	// Scenario is the scenario id: the top container's text, or in an upgrade run the text of
	// the container inside the phase's ("" for suite-level nodes).
	Scenario string `json:"scenario,omitempty"`
	// Phase is the upgrade phase the spec ran in (its container's text, "phase 2: control
	// plane 1.31.1, sidecars 1.30.0"), PhaseIndex its number; "" and 0 outside upgrade runs.
	Phase      string `json:"phase,omitempty"`
	PhaseIndex int    `json:"phaseIndex,omitempty"`
	// Containers is the whole container hierarchy, outermost first.
	Containers []string `json:"containers,omitempty"`
	// Probe is the leaf text up to the first ": ", Expectation the rest ("probe: expectation").
	Probe       string `json:"probe"`
	Expectation string `json:"expectation,omitempty"`
	// Text is the leaf text as Ginkgo has it.
	Text string `json:"text,omitempty"`
	// NodeType is Ginkgo's leaf node type: It, BeforeSuite, AfterSuite, ReportAfterSuite…
	NodeType string   `json:"nodeType"`
	Location Location `json:"location,omitzero"`
	State    State    `json:"state"`
	// Message is the failure message, or the skip reason.
	Message string `json:"message,omitempty"`
	// FailureLocation is where the failure or skip was raised.
	FailureLocation Location `json:"failureLocation,omitzero"`
	// FailureNode is the node the failure happened in when it is not the leaf itself
	// ("BeforeAll", "DeferCleanup (All)"…), with its location.
	FailureNode         string   `json:"failureNode,omitempty"`
	FailureNodeLocation Location `json:"failureNodeLocation,omitzero"`
	ForwardedPanic      string   `json:"forwardedPanic,omitempty"`
	// AdditionalFailures are follow-on failures (e.g. a cleanup that failed too).
	AdditionalFailures []string `json:"additionalFailures,omitempty"`

	Start    time.Time     `json:"start,omitzero"`
	End      time.Time     `json:"end,omitzero"`
	Duration time.Duration `json:"duration"`
	Attempts int           `json:"attempts,omitempty"`
	// Process is the Ginkgo process that ran the spec when it was not process 1 (a parallel
	// run: every process runs the setup node, the others attaching to process 1's world).
	Process int `json:"process,omitempty"`

	Labels     []string   `json:"labels,omitempty"`
	Source     string     `json:"source,omitempty"`
	Summary    string     `json:"summary,omitempty"`
	Evidence   []Evidence `json:"evidence,omitempty"`
	NotChecked []string   `json:"notChecked,omitempty"`
	// Proxies are the "proxies" entries: which release each proxy of the scenario ran.
	Proxies []string `json:"proxies,omitempty"`
	Entries []Entry  `json:"entries,omitempty"`
	// Output is what the spec wrote (GinkgoWriter, then stdout/stderr), colour codes removed.
	Output string `json:"output,omitempty"`
}

// IsSuiteNode reports whether the spec is a suite-level node (BeforeSuite, AfterSuite,
// ReportAfterSuite, a suite DeferCleanup…) rather than a probe.
func (s *Spec) IsSuiteNode() bool {
	return strings.Contains(s.NodeType, "Suite")
}

// Name is the spec's name in JUnit and the reports: the probe name, or for a suite-level
// node its type and role, e.g. "[BeforeSuite] setup".
func (s *Spec) Name() string {
	if !s.IsSuiteNode() {
		if s.Probe != "" {
			return s.Probe
		}
		return s.Text
	}
	role := "teardown"
	switch {
	case strings.Contains(s.NodeType, "BeforeSuite") && !strings.HasPrefix(s.NodeType, "Report"):
		role = "setup"
	case strings.HasPrefix(s.NodeType, "Report"):
		role = "report"
	}
	name := "[" + s.NodeType + "] " + role
	if s.Text != "" {
		name += ": " + s.Text
	}
	if s.Process > 1 {
		name += fmt.Sprintf(" (process %d)", s.Process)
	}
	return name
}

// PhaseShort is "phase 2" for a spec of an upgrade phase, "" otherwise.
func (s *Spec) PhaseShort() string {
	if s.Phase == "" {
		return ""
	}
	return Phase{Index: s.PhaseIndex, Name: s.Phase}.Short()
}

// QualifiedName is Name, prefixed with the short phase in an upgrade run ("[phase 2] probe").
func (s *Spec) QualifiedName() string {
	if p := s.PhaseShort(); p != "" {
		return "[" + p + "] " + s.Name()
	}
	return s.Name()
}

// LatestEvidence is the last evidence entry (the attempt the verdict rests on), if any.
func (s *Spec) LatestEvidence() (Evidence, bool) {
	if len(s.Evidence) == 0 {
		return Evidence{}, false
	}
	return s.Evidence[len(s.Evidence)-1], true
}

// Verdict is a scenario's or a run's summary outcome.
type Verdict string

const (
	VerdictPassed      Verdict = "passed"
	VerdictFailed      Verdict = "failed"
	VerdictSkipped     Verdict = "skipped"
	VerdictPartial     Verdict = "partial" // some probes passed, the others were skipped
	VerdictNotRun      Verdict = "not run"
	VerdictListed      Verdict = "listed"  // a scenario in a dry run
	VerdictDryRun      Verdict = "dry run" // a whole dry run
	VerdictSetupFailed Verdict = "setup failed"
	VerdictInterrupted Verdict = "interrupted"
)

// Scenario groups the probes of one scenario.
type Scenario struct {
	ID       string   `json:"id"`
	Summary  string   `json:"summary,omitempty"`
	Source   string   `json:"source,omitempty"`
	Labels   []string `json:"labels,omitempty"`
	Location Location `json:"location,omitzero"`
	Probes   []*Spec  `json:"probes"`
	// InCatalog: the scenario catalog merged into the run (MergeCatalog) has it.
	InCatalog bool `json:"inCatalog,omitempty"`
}

// Verdict sums up the probes: failed if any failed, passed if all passed, partial if the
// others were skipped, else skipped / listed / not run.
func (sc *Scenario) Verdict() Verdict {
	var passed, failed, listed, notRun, skipped int
	for _, p := range sc.Probes {
		switch {
		case p.State == StatePassed:
			passed++
		case p.State == StateListed:
			listed++
		case p.State == StateNotRun:
			notRun++
		case p.State.IsSkip():
			skipped++
		default:
			failed++
		}
	}
	switch {
	case failed > 0:
		return VerdictFailed
	case len(sc.Probes) == 0:
		return VerdictNotRun
	case passed == len(sc.Probes):
		return VerdictPassed
	case passed > 0:
		return VerdictPartial
	case listed == len(sc.Probes):
		return VerdictListed
	case notRun == len(sc.Probes):
		return VerdictNotRun
	}
	return VerdictSkipped
}

// Run is everything one Ginkgo JSON report holds (usually one suite).
type Run struct {
	Suites []*Suite `json:"suites"`
}
