package reports

import (
	"strings"
	"testing"

	"github.com/egressconformance/iec/reports/entry"
)

// dry-upgrade.json is the egress suite's upgrade tree (dry run) and upgrade-mixed.json the
// same tree with scripted outcomes (suites/testdata/recorded): every probe once per
// phase, the phase a dimension of its own.

func TestLoadUpgradeTreeHasAPhasePerSpec(t *testing.T) {
	for _, name := range []string{"dry-upgrade.json", "upgrade-mixed.json"} {
		t.Run(name, func(t *testing.T) {
			s := loadMerged(t, name).Suites[0]
			if len(s.Phases) != 3 {
				t.Fatalf("phases %+v, want 3", s.Phases)
			}
			for i, ph := range s.Phases {
				if ph.Index != i+1 || ph.Short() != "phase "+string(rune('1'+i)) || !strings.HasPrefix(ph.Name, ph.Short()+": ") {
					t.Errorf("phase %d: %+v (short %q)", i, ph, ph.Short())
				}
			}
			if !strings.Contains(s.Phases[1].Name, "control plane") || !strings.Contains(s.Phases[2].Name, "restarted") {
				t.Errorf("phase names: %+v", s.Phases)
			}
			perPhase := map[int]map[string]bool{}
			for _, sp := range s.Specs {
				if sp.PhaseIndex < 1 || sp.Phase != s.Phases[sp.PhaseIndex-1].Name {
					t.Errorf("%s/%s: phase %d %q", sp.Scenario, sp.Probe, sp.PhaseIndex, sp.Phase)
				}
				if strings.HasPrefix(sp.Scenario, "phase ") || sp.Scenario == "" {
					t.Errorf("spec %q: scenario %q is not the container inside the phase", sp.Text, sp.Scenario)
				}
				for _, l := range sp.Labels {
					if _, ok := entry.ParsePhaseLabel(l); ok {
						t.Errorf("%s/%s: the phase label %q is among the scenario labels", sp.Scenario, sp.Probe, l)
					}
				}
				if !strings.HasSuffix(sp.Location.File, strings.ReplaceAll(sp.Scenario, "-", "_")+".go") {
					t.Errorf("%s: location %s is not the scenario's file", sp.Scenario, sp.Location)
				}
				if perPhase[sp.PhaseIndex] == nil {
					perPhase[sp.PhaseIndex] = map[string]bool{}
				}
				key := sp.Scenario + "/" + sp.Probe
				if perPhase[sp.PhaseIndex][key] {
					t.Errorf("%s twice in phase %d", key, sp.PhaseIndex)
				}
				perPhase[sp.PhaseIndex][key] = true
			}
			want := 0
			for _, c := range Catalog() {
				want += len(c.Probes)
			}
			for n := 1; n <= 3; n++ {
				if len(perPhase[n]) != want {
					t.Errorf("phase %d has %d probes, the catalog %d", n, len(perPhase[n]), want)
				}
			}
			// Every scenario groups its probes of all phases, phase by phase.
			for _, sc := range s.Scenarios {
				last := 0
				for _, p := range sc.Probes {
					if p.PhaseIndex < last {
						t.Errorf("%s: probes not in phase order", sc.ID)
					}
					last = p.PhaseIndex
				}
			}
		})
	}
}

func TestLoadUpgradeOutcomes(t *testing.T) {
	s := loadMerged(t, "upgrade-mixed.json").Suites[0]
	by := map[string]*Spec{}
	for _, sp := range s.Specs {
		by[sp.PhaseShort()+"/"+sp.Scenario+"/"+sp.Probe] = sp
	}
	if sp := by["phase 1/service-entry-http/other-host-still-blocked"]; sp == nil || sp.State != StatePassed {
		t.Errorf("phase 1 probe: %+v", sp)
	}
	failed := by["phase 2/service-entry-http/other-host-still-blocked"]
	if failed == nil || failed.State != StateFailed || failed.QualifiedName() != "[phase 2] other-host-still-blocked" {
		t.Fatalf("phase 2 failure: %+v", failed)
	}
	if ev, ok := failed.LatestEvidence(); !ok || ev.Link() != "scenarios/service-entry-http/other-host-still-blocked/phase-2/attempt-1.json" {
		t.Errorf("phase 2 evidence link %q", ev.Link())
	}
	// A BeforeAll that failed in phase 3 does not explain the probes of phases 1 and 2.
	if sp := by["phase 3/egress-gateway-http/http-through-gateway"]; sp == nil || sp.State != StateFailed || sp.FailureNode != "BeforeAll" {
		t.Errorf("phase 3 BeforeAll failure: %+v", sp)
	}
	if sp := by["phase 2/egress-gateway-http/http-through-gateway"]; sp == nil || sp.State != StatePassed {
		t.Errorf("phase 2 of the scenario whose phase 3 failed: %+v", sp)
	}
	// Skip reasons of BeforeAll reach every probe of that phase's container.
	for _, ph := range []string{"phase 2", "phase 3"} {
		for _, sp := range s.Specs {
			if sp.PhaseShort() == ph && sp.Scenario == "wildcard-hosts" && !strings.Contains(sp.Message, "not verified in "+ph+": the scenario was not set up in phase 1") {
				t.Errorf("%s wildcard-hosts/%s: %q", ph, sp.Probe, sp.Message)
			}
		}
	}
	if sp := by["phase 2/mtls-origination/client-certificate-accepted"]; sp == nil || sp.State != StateSkipped || !strings.Contains(sp.Message, "complete config") {
		t.Errorf("probe before the complete config: %+v", sp)
	}
	if sp := by["phase 2/allow-any-passthrough/unregistered-host-passes-through"]; sp == nil || len(sp.Proxies) != 1 || !strings.Contains(sp.Proxies[0], "curl-sidecar: 1.30.0") {
		t.Errorf("proxies entry: %+v", sp)
	}
	var steps []string
	for _, tm := range s.Timings {
		if strings.Contains(tm.Phase, "upgrade") || strings.Contains(tm.Phase, "restarted") {
			steps = append(steps, tm.Phase)
		}
	}
	if len(steps) != 2 || !strings.Contains(steps[0], "in-place upgrade of the control plane 1.30.0 → 1.31.1") {
		t.Errorf("upgrade steps in the timings: %v (all %+v)", steps, s.Timings)
	}
	if s.Property("istio-upgrade-to") != "1.31.1" || s.Properties[1].Key != "istio-upgrade-to" {
		t.Errorf("properties %+v", s.Properties)
	}
}

func TestUpgradeRendering(t *testing.T) {
	run := loadMerged(t, "upgrade-mixed.json")
	md := rendered(t, WriteMarkdown, run)
	for _, want := range []string{
		"Istio 1.30.0 → 1.31.1 (in-place upgrade)",
		"## Upgrade phases",
		"| phase 2: control plane 1.31.1, sidecars 1.30.0 | ❌ failed | 44 |",
		"| Istio upgraded to (in place) | `1.31.1` |",
		`### service-entry-http › \[phase 2\] other-host-still-blocked (failed)`,
		`### egress-gateway-http › \[phase 3\] http-through-gateway (failed)`,
		"| in-place upgrade of the control plane 1.30.0 → 1.31.1 |",
		`mtls-origination › \[phase 2\] client-certificate-accepted`,
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	// The phase cells of a row: passed in phase 1, failed in phase 2, passed in phase 3.
	row := false
	for _, line := range strings.Split(md, "\n") {
		row = row || strings.HasPrefix(line, "| **service-entry-http**")
		if strings.HasPrefix(line, "| **service-entry-http**") && !strings.Contains(line, "| ✅ passed<br>✅ `http-allowed-with-entry`<br>✅ `other-host-still-blocked` | ❌ failed<br>✅ `http-allowed-with-entry`<br>❌ [`other-host-still-blocked`](#failure-") {
			t.Errorf("service-entry-http row:\n%s", line)
		}
	}
	if !row {
		t.Error("no row for service-entry-http")
	}

	page := rendered(t, WriteHTML, run)
	for _, want := range []string{`<table id="phases">`, `<tr class="phase" data-phase="2">`, `<table class="matrix phased" id="scenarios">`,
		`<td class="phase-cell" data-phase="phase 3">`, `<th title="phase 1: Istio 1.30.0">phase 1: Istio 1.30.0</th>`} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	cells := 0
	for _, tok := range tokens(t, page) {
		if c, _ := attr(tok, "class"); tok.Data == "td" && c == "phase-cell" {
			cells++
		}
	}
	if want := 3 * len(run.Suites[0].Scenarios); cells != want {
		t.Errorf("%d phase cells, want %d (3 per scenario)", cells, want)
	}

	doc, _ := junitOf(t, run)
	names := map[string]bool{}
	for _, c := range doc.Suites[0].Cases {
		key := c.Classname + "/" + c.Name
		if names[key] {
			t.Errorf("JUnit testcase %s twice: phases must tell them apart", key)
		}
		names[key] = true
		p := props(c.Properties)
		if !strings.HasPrefix(c.Name, "[phase ") || len(p["phase"]) != 1 || !strings.HasPrefix(c.Name, "["+strings.SplitN(p["phase"][0], ":", 2)[0]+"] ") {
			t.Errorf("testcase %s/%s: phase property %v", c.Classname, c.Name, p["phase"])
		}
	}
	if !names["service-entry-http/[phase 2] other-host-still-blocked"] {
		t.Error("no JUnit testcase for the phase 2 failure")
	}
}

// A plain run's reports carry no phase anywhere.
func TestPlainRunHasNoPhases(t *testing.T) {
	run := loadMerged(t, "mixed.json")
	if len(run.Suites[0].Phases) != 0 {
		t.Fatalf("phases %+v", run.Suites[0].Phases)
	}
	for _, sp := range run.Suites[0].Specs {
		if sp.Phase != "" || sp.QualifiedName() != sp.Name() {
			t.Errorf("%s/%s: phase %q", sp.Scenario, sp.Probe, sp.Phase)
		}
	}
	if md := rendered(t, WriteMarkdown, run); strings.Contains(md, "Upgrade phases") || strings.Contains(md, "[phase") {
		t.Error("Markdown of a plain run mentions phases")
	}
	doc, _ := junitOf(t, run)
	for _, c := range doc.Suites[0].Cases {
		if len(props(c.Properties)["phase"]) > 0 {
			t.Errorf("%s: phase property in a plain run", c.Name)
		}
	}
}
