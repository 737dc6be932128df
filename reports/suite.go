package reports

import (
	"fmt"
	"strings"
	"time"
)

// This file is the run-level view: a suite, its properties, phases, verdict and counts.

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
