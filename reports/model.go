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
	"sort"
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

// Suite is one Ginkgo suite report.
type Suite struct {
	Description string `json:"description"`
	Path        string `json:"path,omitempty"`
	Succeeded   bool   `json:"succeeded"`
	DryRun      bool   `json:"dryRun,omitempty"`
	// FailureReasons are Ginkgo's special suite failure reasons (interrupted, fail-on-pending…).
	FailureReasons []string      `json:"failureReasons,omitempty"`
	Start          time.Time     `json:"start,omitzero"`
	End            time.Time     `json:"end,omitzero"`
	Duration       time.Duration `json:"duration"`

	RandomSeed  int64    `json:"randomSeed,omitempty"`
	LabelFilter string   `json:"labelFilter,omitempty"`
	Focus       []string `json:"focus,omitempty"`
	Skip        []string `json:"skip,omitempty"`
	Parallel    int      `json:"parallel,omitempty"`
	TotalSpecs  int      `json:"totalSpecs"`
	WillRun     int      `json:"willRun"`

	Properties []Property `json:"properties,omitempty"`
	Timings    []Timing   `json:"timings,omitempty"`
	// Phases are the upgrade phases of an upgrade run, in order; none in a plain run.
	Phases []Phase `json:"phases,omitempty"`
	// SuiteNodes are the suite-level nodes (BeforeSuite, AfterSuite, ReportAfterSuite…).
	SuiteNodes []*Spec `json:"suiteNodes,omitempty"`
	// Specs are the probes in report order; Scenarios groups the same values by scenario,
	// sorted by id.
	Specs     []*Spec     `json:"specs"`
	Scenarios []*Scenario `json:"scenarios"`
}

// Phase is one phase of an upgrade run.
type Phase struct {
	Index int    `json:"index"`
	Name  string `json:"name"`
}

// Short is "phase 2" (the name up to its colon).
func (p Phase) Short() string {
	if i := strings.Index(p.Name, ":"); i > 0 {
		return p.Name[:i]
	}
	if p.Index > 0 {
		return fmt.Sprintf("phase %d", p.Index)
	}
	return p.Name
}

// Property returns a suite property's value, or "".
func (s *Suite) Property(key string) string {
	for _, p := range s.Properties {
		if p.Key == key {
			return p.Value
		}
	}
	return ""
}

// SetupFailure is the failed setup node (BeforeSuite), or nil.
func (s *Suite) SetupFailure() *Spec {
	for _, n := range s.SuiteNodes {
		if n.State.IsFailure() && strings.Contains(n.NodeType, "BeforeSuite") && !strings.HasPrefix(n.NodeType, "Report") {
			return n
		}
	}
	return nil
}

// FailedSuiteNodes are the suite-level nodes that failed (setup, teardown, reporting).
func (s *Suite) FailedSuiteNodes() []*Spec {
	var out []*Spec
	for _, n := range s.SuiteNodes {
		if n.State.IsFailure() {
			out = append(out, n)
		}
	}
	return out
}

// Verdict is the run's one-word outcome.
func (s *Suite) Verdict() Verdict {
	interrupted := false
	for _, r := range s.FailureReasons {
		if strings.Contains(strings.ToLower(r), "interrupt") {
			interrupted = true
		}
	}
	switch {
	case s.SetupFailure() != nil:
		return VerdictSetupFailed
	case interrupted:
		return VerdictInterrupted
	case !s.Succeeded:
		return VerdictFailed
	case s.DryRun:
		return VerdictDryRun
	}
	for _, sp := range s.Specs {
		if sp.State.IsFailure() {
			return VerdictFailed
		}
	}
	return VerdictPassed
}

// Counts are the probes per outcome.
type Counts struct {
	Total, Passed, Failed, Skipped, Listed, NotRun int
}

// Count sums up the probes (suite-level nodes are not counted).
func (s *Suite) Count() Counts {
	var c Counts
	for _, sp := range s.Specs {
		c.Total++
		switch {
		case sp.State == StatePassed:
			c.Passed++
		case sp.State == StateListed:
			c.Listed++
		case sp.State == StateNotRun:
			c.NotRun++
		case sp.State.IsSkip():
			c.Skipped++
		default:
			c.Failed++
		}
	}
	return c
}

// Run is everything one Ginkgo JSON report holds (usually one suite).
type Run struct {
	Suites []*Suite `json:"suites"`
}

// propertyOrder puts the sign-off's most important properties first; others follow by key.
var propertyOrder = []string{
	"istio-version", "istio-upgrade-to", "istio-hub", "istio-tag", "istioctl", "kind-node-image", "kubernetes-version", "mode", "data-plane", "proxy",
	"image-curl", "image-squid", "image-echo", "suite-commit", "run-id", "cluster", "cluster-created", "cluster-kept",
}

// PropertyTitle is the human name of a property key.
func PropertyTitle(key string) string {
	switch key {
	case "istio-version":
		return "Istio"
	case "istio-upgrade-to":
		return "Istio upgraded to (in place)"
	case "istio-hub":
		return "Istio image hub"
	case "istio-tag":
		return "Istio image tag"
	case "kind-node-image":
		return "Kubernetes (kind node image)"
	case "kubernetes-version":
		return "Kubernetes (the API server's version)"
	case "istioctl":
		return "istioctl that installed Istio"
	case "suite-commit":
		return "Suite commit"
	case "mode":
		return "Mode"
	case "data-plane":
		return "Envoy data plane"
	case "proxy":
		return "Proxy judged (egress gateway's /server_info)"
	case "image-curl":
		return "Client image (curl)"
	case "image-squid":
		return "Forward proxy image (Squid)"
	case "image-echo":
		return "Recording httpbin image"
	case "run-id":
		return "Run ID"
	case "cluster":
		return "Kind cluster"
	case "cluster-created":
		return "Cluster created by the run"
	case "cluster-kept":
		return "Cluster kept after the run"
	}
	return key
}

func sortProperties(ps []Property) {
	rank := func(k string) int {
		for i, o := range propertyOrder {
			if o == k {
				return i
			}
		}
		return len(propertyOrder)
	}
	sort.SliceStable(ps, func(i, j int) bool {
		ri, rj := rank(ps[i].Key), rank(ps[j].Key)
		if ri != rj {
			return ri < rj
		}
		return ps[i].Key < ps[j].Key
	})
}

// FillProperties adds the given properties to every suite that lacks them; properties
// the report already has win. The suite hook uses it so a run whose setup failed before
// the world existed still names its versions (from the configuration).
func (r *Run) FillProperties(props map[string]string) {
	for _, s := range r.Suites {
		for k, v := range props {
			if v == "" || s.Property(k) != "" {
				continue
			}
			s.Properties = append(s.Properties, Property{Key: k, Value: v})
		}
		sortProperties(s.Properties)
	}
}
