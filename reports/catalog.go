package reports

import (
	"fmt"
	"sort"

	"github.com/egressconformance/iec/scenarios"
)

// CatalogScenario is what the reports need to know about a registered scenario.
type CatalogScenario struct {
	ID       string
	Summary  string
	Source   string
	Labels   []string
	Location Location
	Probes   []CatalogProbe
}

// CatalogProbe is one probe of a catalog scenario.
type CatalogProbe struct {
	Name        string
	Expectation string
}

// Catalog is the registered scenario catalog (scenarios.All), sorted by id.
func Catalog() []CatalogScenario {
	var out []CatalogScenario
	for _, s := range scenarios.All() {
		file, line := s.Location()
		c := CatalogScenario{ID: s.Name, Summary: s.Summary, Source: s.Source, Location: Location{File: file, Line: line}}
		for _, l := range s.Labels {
			c.Labels = append(c.Labels, string(l))
		}
		for _, p := range s.Probes {
			c.Probes = append(c.Probes, CatalogProbe{Name: p.Name, Expectation: p.Expect.String()})
		}
		out = append(out, c)
	}
	return out
}

// MergeCatalog completes the run with the catalog: scenario summaries, sources and labels
// the report lacks (a dry run or a failed setup records none), and a "not run" probe for
// every catalog probe the report does not have, so every scenario stays in the sign-off
// even when the run never reached it. Probes are put in catalog order (in an upgrade run,
// per phase: every probe of every phase stays in the sign-off).
//
// With several suites in the run, only suites that ran at least one catalog scenario, or
// ran no probe at all, are completed.
func (r *Run) MergeCatalog(cat []CatalogScenario) {
	ids := map[string]bool{}
	for _, c := range cat {
		ids[c.ID] = true
	}
	for _, s := range r.Suites {
		if len(r.Suites) > 1 && len(s.Specs) > 0 && !s.hasAny(ids) {
			continue
		}
		s.mergeCatalog(cat)
	}
}

func (s *Suite) hasAny(ids map[string]bool) bool {
	for _, sc := range s.Scenarios {
		if ids[sc.ID] {
			return true
		}
	}
	return false
}

func (s *Suite) mergeCatalog(cat []CatalogScenario) {
	byID := map[string]*Scenario{}
	for _, sc := range s.Scenarios {
		byID[sc.ID] = sc
	}
	reason := s.notRunReason()
	// An upgrade run has every probe once per phase; a plain run once.
	phases := s.Phases
	if len(phases) == 0 {
		phases = []Phase{{}}
	}
	for _, c := range cat {
		sc := byID[c.ID]
		if sc == nil {
			sc = &Scenario{ID: c.ID, Location: c.Location}
			byID[c.ID] = sc
			s.Scenarios = append(s.Scenarios, sc)
		}
		sc.InCatalog = true
		sc.adopt(c.Summary, c.Source, c.Labels)
		if sc.Location.File == "" {
			sc.Location = c.Location
		}
		have := map[string]*Spec{}
		for _, p := range sc.Probes {
			have[probeKey(p.PhaseIndex, p.Probe)] = p
		}
		var ordered []*Spec
		for _, ph := range phases {
			for _, cp := range c.Probes {
				key := probeKey(ph.Index, cp.Name)
				if sp := have[key]; sp != nil {
					ordered = append(ordered, sp)
					delete(have, key)
					continue
				}
				containers := []string{c.ID}
				if ph.Name != "" {
					containers = []string{ph.Name, c.ID}
				}
				sp := &Spec{
					Scenario: c.ID, Containers: containers, Phase: ph.Name, PhaseIndex: ph.Index,
					Probe: cp.Name, Expectation: cp.Expectation,
					Text: cp.Name + ": " + cp.Expectation, NodeType: "It", Location: c.Location,
					State: StateNotRun, Message: reason, Labels: append([]string{}, c.Labels...),
				}
				ordered = append(ordered, sp)
				s.Specs = append(s.Specs, sp)
			}
		}
		// Probes the report has but the catalog no longer does keep their report order, last.
		for _, p := range sc.Probes {
			if have[probeKey(p.PhaseIndex, p.Probe)] == p {
				ordered = append(ordered, p)
			}
		}
		sc.Probes = ordered
		for _, p := range sc.Probes {
			if p.Source == "" {
				p.Source = sc.Source
			}
			if p.Summary == "" {
				p.Summary = sc.Summary
			}
		}
	}
	sort.SliceStable(s.Scenarios, func(i, j int) bool { return s.Scenarios[i].ID < s.Scenarios[j].ID })
}

func probeKey(phase int, probe string) string { return fmt.Sprintf("%d\x00%s", phase, probe) }

// notRunReason says why a catalog probe has no spec in the report.
func (s *Suite) notRunReason() string {
	if f := s.SetupFailure(); f != nil {
		where := ""
		if l := f.FailureLocation; l.File != "" {
			where = " at " + l.Short()
		}
		return fmt.Sprintf("not run: setup failed (%s%s)", f.Name(), where)
	}
	for _, r := range s.FailureReasons {
		return "not run: " + r
	}
	return "not run: the scenario is not in this run's report (added to the catalog after the run?)"
}
