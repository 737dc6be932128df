package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/egressconformance/iec/reports/entry"
)

// The structs below mirror the part of Ginkgo's JSON report (github.com/onsi/ginkgo/v2/types:
// Report, SpecReport, Failure, ReportEntry, CodeLocation) this package reads. Enums
// (SpecState, NodeType, FailureNodeContext) are written by Ginkgo as strings; durations as
// nanoseconds. Unknown fields are ignored so newer Ginkgo releases still load.

type gReport struct {
	SuitePath                  string
	SuiteDescription           string
	SuiteSucceeded             bool
	SpecialSuiteFailureReasons []string
	PreRunStats                struct{ TotalSpecs, SpecsThatWillRun int }
	StartTime                  time.Time
	EndTime                    time.Time
	RunTime                    time.Duration
	SuiteConfig                struct {
		RandomSeed    int64
		FocusStrings  []string
		SkipStrings   []string
		FocusFiles    []string
		SkipFiles     []string
		LabelFilter   string
		DryRun        bool
		ParallelTotal int
	}
	SpecReports []gSpec
}

type gLocation struct {
	FileName   string
	LineNumber int
}

type gSpec struct {
	ContainerHierarchyTexts     []string
	ContainerHierarchyLocations []gLocation
	ContainerHierarchyLabels    [][]string
	LeafNodeType                string
	LeafNodeLocation            gLocation
	LeafNodeLabels              []string
	LeafNodeText                string
	State                       string
	StartTime                   time.Time
	EndTime                     time.Time
	RunTime                     time.Duration
	Failure                     *gFailure
	NumAttempts                 int
	ParallelProcess             int
	CapturedGinkgoWriterOutput  string
	CapturedStdOutErr           string
	ReportEntries               []gEntry
	AdditionalFailures          []gAdditionalFailure
}

type gFailure struct {
	Message             string
	Location            gLocation
	ForwardedPanic      string
	FailureNodeContext  string
	FailureNodeType     string
	FailureNodeLocation gLocation
	AdditionalFailure   *gAdditionalFailure
}

type gAdditionalFailure struct {
	State   string
	Failure gFailure
}

type gEntry struct {
	Name  string
	Time  time.Time
	Value struct {
		AsJSON         string
		Representation string
	}
}

func (l gLocation) loc() Location { return Location{File: l.FileName, Line: l.LineNumber} }

// value is the entry's value as text: the representation Ginkgo recorded, else the JSON
// (a JSON string is unquoted).
func (e gEntry) value() string {
	if e.Value.Representation != "" {
		return e.Value.Representation
	}
	var s string
	if err := json.Unmarshal([]byte(e.Value.AsJSON), &s); err == nil {
		return s
	}
	if e.Value.AsJSON == "null" {
		return ""
	}
	return e.Value.AsJSON
}

// LoadFile reads and decodes a Ginkgo JSON report file. When the file cannot be read, the
// error wraps the *fs.PathError, for callers to say what to run first; when it is no report,
// the error names the file.
func LoadFile(path string) (*Run, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the Ginkgo report: %w", err)
	}
	r, err := Load(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// Load decodes a Ginkgo JSON report (`ginkgo --json-report`: an array of suite reports; a
// single suite report object is accepted too) into a Run.
func Load(ginkgoJSON []byte) (*Run, error) {
	trimmed := bytes.TrimSpace(ginkgoJSON)
	if len(trimmed) == 0 {
		return nil, errors.New("loading Ginkgo report: the input is empty")
	}
	var raw []gReport
	switch trimmed[0] {
	case '[':
		if err := json.Unmarshal(trimmed, &raw); err != nil {
			return nil, fmt.Errorf("loading Ginkgo report: decoding the array of suite reports: %w", err)
		}
	case '{':
		var one gReport
		if err := json.Unmarshal(trimmed, &one); err != nil {
			return nil, fmt.Errorf("loading Ginkgo report: decoding the suite report: %w", err)
		}
		raw = []gReport{one}
	default:
		return nil, fmt.Errorf("loading Ginkgo report: expected a JSON array of suite reports (ginkgo --json-report), got input starting with %q", firstRunes(string(trimmed), 20))
	}
	if len(raw) == 0 {
		return nil, errors.New("loading Ginkgo report: the report holds no suite")
	}
	run := &Run{}
	for i, r := range raw {
		if r.SuiteDescription == "" && r.SuitePath == "" && len(r.SpecReports) == 0 {
			return nil, fmt.Errorf("loading Ginkgo report: suite %d has no description, path or specs: not a Ginkgo suite report", i)
		}
		s, err := convertSuite(r)
		if err != nil {
			return nil, fmt.Errorf("loading Ginkgo report: suite %d (%s): %w", i, r.SuiteDescription, err)
		}
		run.Suites = append(run.Suites, s)
	}
	return run, nil
}

func convertSuite(r gReport) (*Suite, error) {
	s := &Suite{
		Description:    r.SuiteDescription,
		Path:           r.SuitePath,
		Succeeded:      r.SuiteSucceeded,
		DryRun:         r.SuiteConfig.DryRun,
		FailureReasons: r.SpecialSuiteFailureReasons,
		Start:          r.StartTime,
		End:            r.EndTime,
		Duration:       r.RunTime,
		RandomSeed:     r.SuiteConfig.RandomSeed,
		LabelFilter:    r.SuiteConfig.LabelFilter,
		Focus:          append(append([]string{}, r.SuiteConfig.FocusStrings...), r.SuiteConfig.FocusFiles...),
		Skip:           append(append([]string{}, r.SuiteConfig.SkipStrings...), r.SuiteConfig.SkipFiles...),
		Parallel:       r.SuiteConfig.ParallelTotal,
		TotalSpecs:     r.PreRunStats.TotalSpecs,
		WillRun:        r.PreRunStats.SpecsThatWillRun,
	}
	if s.Description == "" {
		s.Description = "Ginkgo suite"
	}
	seenProp := map[string]bool{}
	phases := map[int]string{}
	for i, gs := range r.SpecReports {
		if gs.LeafNodeType == "" {
			return nil, fmt.Errorf("spec report %d (%q) has no LeafNodeType", i, gs.LeafNodeText)
		}
		sp := convertSpec(gs)
		// Timings come from the setup (BeforeSuite) and, in an upgrade run, from the scenario
		// that performed the upgrade or a restart; in report order.
		for _, e := range gs.ReportEntries {
			if step, ok := entry.TimingStep(e.Name); ok {
				raw := e.value()
				t := Timing{Phase: step, Raw: raw}
				if d, ok := entry.ParseTiming(raw); ok {
					t.Took = d
				}
				s.Timings = append(s.Timings, t)
			}
		}
		if sp.IsSuiteNode() {
			// Properties come from suite-level nodes; the first value of a key wins
			// (BeforeSuite runs before any ReportAfterSuite that fills gaps).
			for _, e := range gs.ReportEntries {
				if k, ok := entry.PropertyKey(e.Name); ok && !seenProp[k] {
					seenProp[k] = true
					s.Properties = append(s.Properties, Property{Key: k, Value: e.value()})
				}
			}
			s.SuiteNodes = append(s.SuiteNodes, sp)
			continue
		}
		if s.DryRun && sp.State == StatePassed {
			sp.State = StateListed
		}
		if sp.PhaseIndex > 0 {
			phases[sp.PhaseIndex] = sp.Phase
		}
		s.Specs = append(s.Specs, sp)
	}
	for n, name := range phases {
		s.Phases = append(s.Phases, Phase{Index: n, Name: name})
	}
	sort.Slice(s.Phases, func(i, j int) bool { return s.Phases[i].Index < s.Phases[j].Index })
	sortProperties(s.Properties)
	s.group()
	s.explainSkips()
	return s, nil
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[ -/]*[@-~]`)

func clean(s string) string { return ansi.ReplaceAllString(s, "") }

func convertSpec(gs gSpec) *Spec {
	sp := &Spec{
		Containers: gs.ContainerHierarchyTexts,
		Text:       gs.LeafNodeText,
		NodeType:   gs.LeafNodeType,
		Location:   gs.LeafNodeLocation.loc(),
		State:      State(gs.State),
		Start:      gs.StartTime,
		End:        gs.EndTime,
		Duration:   gs.RunTime,
		Attempts:   gs.NumAttempts,
	}
	if gs.ParallelProcess > 1 {
		sp.Process = gs.ParallelProcess
	}
	if sp.State == "" || strings.HasPrefix(gs.State, "INVALID") {
		sp.State = State("invalid")
	}
	// The scenario is the top container, or in an upgrade run the one inside its phase's.
	at := 0
	for i, ls := range gs.ContainerHierarchyLabels {
		for _, l := range ls {
			if n, ok := entry.ParsePhaseLabel(l); ok && i < len(gs.ContainerHierarchyTexts) {
				sp.Phase, sp.PhaseIndex, at = gs.ContainerHierarchyTexts[i], n, i+1
			}
		}
	}
	if at < len(gs.ContainerHierarchyTexts) {
		sp.Scenario = gs.ContainerHierarchyTexts[at]
	}
	if at < len(gs.ContainerHierarchyLocations) {
		// Specs are reported at the scenario's own file; the container location is it.
		if l := gs.ContainerHierarchyLocations[at].loc(); l.File != "" && sp.Location.File == "" {
			sp.Location = l
		}
	}
	sp.Probe, sp.Expectation = gs.LeafNodeText, ""
	if i := strings.Index(gs.LeafNodeText, ": "); i > 0 {
		sp.Probe, sp.Expectation = gs.LeafNodeText[:i], gs.LeafNodeText[i+2:]
	}
	// Ginkgo adds a "Serial" label of its own to Serial containers; the suite's "serial"
	// says the same, so labels are deduplicated without regard to case.
	seen := map[string]bool{}
	for _, ls := range append(gs.ContainerHierarchyLabels, gs.LeafNodeLabels) {
		for _, l := range ls {
			if _, ok := entry.ParsePhaseLabel(l); ok {
				continue // the phase is a dimension of its own, not a scenario label
			}
			if k := strings.ToLower(l); !seen[k] {
				seen[k] = true
				sp.Labels = append(sp.Labels, l)
			}
		}
	}
	if f := gs.Failure; f != nil {
		sp.Message = strings.TrimSpace(clean(f.Message))
		sp.FailureLocation = f.Location.loc()
		sp.ForwardedPanic = clean(f.ForwardedPanic)
		if f.FailureNodeContext != "" && f.FailureNodeContext != "leaf-node" && f.FailureNodeType != "" {
			sp.FailureNode = f.FailureNodeType
			sp.FailureNodeLocation = f.FailureNodeLocation.loc()
		}
		if af := f.AdditionalFailure; af != nil {
			sp.AdditionalFailures = append(sp.AdditionalFailures, additional(*af))
		}
	}
	for _, af := range gs.AdditionalFailures {
		sp.AdditionalFailures = append(sp.AdditionalFailures, additional(af))
	}
	for _, e := range gs.ReportEntries {
		v := clean(e.value())
		sp.Entries = append(sp.Entries, Entry{Name: e.Name, Value: v, Time: e.Time})
		switch entry.Name(e.Name) {
		case entry.Scenario:
			// The container text is the id; the entry only fills in for odd trees.
			if sp.Scenario == "" {
				sp.Scenario = v
			}
		case entry.Source:
			sp.Source = v
		case entry.Summary:
			sp.Summary = v
		case entry.Evidence:
			sp.Evidence = append(sp.Evidence, Evidence{Text: v, Path: entry.ParseAttempt(v)})
		case entry.NotChecked:
			sp.NotChecked = append(sp.NotChecked, v)
		case entry.Proxies:
			sp.Proxies = append(sp.Proxies, v)
		}
	}
	out := strings.TrimRight(clean(gs.CapturedGinkgoWriterOutput), "\n")
	if so := strings.TrimRight(clean(gs.CapturedStdOutErr), "\n"); so != "" {
		if out != "" {
			out += "\n"
		}
		out += so
	}
	sp.Output = out
	return sp
}

func additional(af gAdditionalFailure) string {
	msg := strings.TrimSpace(clean(af.Failure.Message))
	if l := af.Failure.Location.loc(); l.File != "" {
		msg += " (at " + l.String() + ")"
	}
	if af.State != "" {
		msg = af.State + ": " + msg
	}
	return msg
}
