package reports

import (
	"fmt"
	"sort"
	"strings"
)

// This file groups a suite's specs by scenario and explains skips caused by a BeforeAll.

// group builds the per-scenario view and spreads scenario-level entries (added in the
// BeforeAll, so attached to the scenario's first spec) to the scenario's other specs.
func (s *Suite) group() {
	byID := map[string]*Scenario{}
	for _, sp := range s.Specs {
		sc := byID[sp.Scenario]
		if sc == nil {
			sc = &Scenario{ID: sp.Scenario, Location: sp.Location}
			byID[sp.Scenario] = sc
			s.Scenarios = append(s.Scenarios, sc)
		}
		sc.Probes = append(sc.Probes, sp)
		sc.adopt(sp.Summary, sp.Source, sp.Labels)
	}
	for _, sc := range s.Scenarios {
		for _, sp := range sc.Probes {
			if sp.Source == "" {
				sp.Source = sc.Source
			}
			if sp.Summary == "" {
				sp.Summary = sc.Summary
			}
		}
		explainBeforeAll(sc)
	}
	sort.SliceStable(s.Scenarios, func(i, j int) bool { return s.Scenarios[i].ID < s.Scenarios[j].ID })
}

// adopt fills in the summary and source the scenario lacks and adds the labels it lacks,
// from one of its specs (group) or from its catalog entry (mergeCatalog in catalog.go).
func (sc *Scenario) adopt(summary, source string, labels []string) {
	if sc.Summary == "" {
		sc.Summary = summary
	}
	if sc.Source == "" {
		sc.Source = source
	}
	for _, l := range labels {
		if !contains(sc.Labels, l) {
			sc.Labels = append(sc.Labels, l)
		}
	}
}

// explainBeforeAll replaces Ginkgo's generic reason on the specs of an Ordered container
// whose BeforeAll skipped or failed ("Spec skipped because Skip() was called in
// BeforeAll") with the reason itself: Ginkgo records it on the first spec only. In an upgrade
// run each phase has its own container per scenario.
func explainBeforeAll(sc *Scenario) {
	byPhase := map[int][]*Spec{}
	var order []int
	for _, sp := range sc.Probes {
		if _, ok := byPhase[sp.PhaseIndex]; !ok {
			order = append(order, sp.PhaseIndex)
		}
		byPhase[sp.PhaseIndex] = append(byPhase[sp.PhaseIndex], sp)
	}
	for _, n := range order {
		explainBeforeAllIn(byPhase[n])
	}
}

func explainBeforeAllIn(probes []*Spec) {
	var first *Spec
	for _, sp := range probes {
		if sp.FailureNode == "BeforeAll" && sp.Message != "" {
			first = sp
			break
		}
	}
	if first == nil {
		return
	}
	for _, sp := range probes {
		if sp == first || sp.State != StateSkipped || !strings.HasPrefix(sp.Message, "Spec skipped because") || !strings.Contains(sp.Message, "BeforeAll") {
			continue
		}
		if first.State == StateSkipped {
			sp.Message = first.Message
		} else {
			sp.Message = fmt.Sprintf("not run: the scenario's BeforeAll failed (reported on %s): %s", first.QualifiedName(), firstRunes(Headline(first.Message), 200))
		}
	}
}

// explainSkips gives a reason to skips Ginkgo recorded without a message: specs left out
// by a filter.
func (s *Suite) explainSkips() {
	var filters []string
	if s.LabelFilter != "" {
		filters = append(filters, fmt.Sprintf("label filter %q", s.LabelFilter))
	}
	if len(s.Focus) > 0 {
		filters = append(filters, fmt.Sprintf("focus %q", strings.Join(s.Focus, `", "`)))
	}
	if len(s.Skip) > 0 {
		filters = append(filters, fmt.Sprintf("skip %q", strings.Join(s.Skip, `", "`)))
	}
	for _, sp := range s.Specs {
		if sp.State != StateSkipped || sp.Message != "" {
			continue
		}
		switch {
		case len(filters) > 0:
			sp.Message = "not selected: " + strings.Join(filters, ", ")
		default:
			sp.Message = "skipped by Ginkgo (no reason recorded)"
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func firstRunes(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
