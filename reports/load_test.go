package reports

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// load reads a testdata report (real Ginkgo output, see testdata/README.md).
func load(t *testing.T, name string) *Run {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	run, err := Load(b)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	if len(run.Suites) != 1 {
		t.Fatalf("%s: %d suites, want 1", name, len(run.Suites))
	}
	return run
}

// loadMerged is load plus the catalog, as the suite's hook and egress-report do.
func loadMerged(t *testing.T, name string) *Run {
	run := load(t, name)
	run.MergeCatalog(Catalog())
	return run
}

// rawSpecs decodes the testdata file generically, to compare with what Load made of it.
func rawSpecs(t *testing.T, name string) []map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var raw []struct{ SpecReports []map[string]any }
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return raw[0].SpecReports
}

func TestLoadDryRunListsEverySpec(t *testing.T) {
	run := load(t, "dry.json")
	s := run.Suites[0]
	if !s.DryRun || s.Description != "Istio egress conformance" {
		t.Fatalf("suite: dry run %v, description %q", s.DryRun, s.Description)
	}
	its := 0
	for _, r := range rawSpecs(t, "dry.json") {
		if r["LeafNodeType"] == "It" {
			its++
		}
	}
	if its == 0 || len(s.Specs) != its || s.TotalSpecs != its {
		t.Fatalf("%d specs loaded, %d It specs in the file, TotalSpecs %d", len(s.Specs), its, s.TotalSpecs)
	}
	for _, sp := range s.Specs {
		if sp.State != StateListed {
			t.Errorf("%s/%s: state %s, want listed (a dry run executes nothing)", sp.Scenario, sp.Probe, sp.State)
		}
		if sp.Scenario == "" || sp.Probe == "" || sp.Expectation == "" || len(sp.Labels) == 0 {
			t.Errorf("spec %q: scenario %q probe %q expectation %q labels %v", sp.Text, sp.Scenario, sp.Probe, sp.Expectation, sp.Labels)
		}
		if strings.Contains(sp.Probe, ":") || sp.Text != sp.Probe+": "+sp.Expectation {
			t.Errorf("probe %q / expectation %q do not split %q", sp.Probe, sp.Expectation, sp.Text)
		}
		if !strings.HasSuffix(sp.Location.File, strings.ReplaceAll(sp.Scenario, "-", "_")+".go") {
			t.Errorf("%s: location %s is not the scenario's file", sp.Scenario, sp.Location)
		}
	}
	if s.Verdict() != VerdictDryRun {
		t.Errorf("verdict %s, want %s", s.Verdict(), VerdictDryRun)
	}
	for _, sc := range s.Scenarios {
		if sc.Verdict() != VerdictListed {
			t.Errorf("%s: verdict %s", sc.ID, sc.Verdict())
		}
	}
}

func TestLoadLabelFilteredSkipsHaveAReason(t *testing.T) {
	s := load(t, "dry-filtered.json").Suites[0]
	skipped := 0
	for _, sp := range s.Specs {
		if sp.State != StateSkipped {
			continue
		}
		skipped++
		if !strings.Contains(sp.Message, `label filter "!slow && !extended"`) {
			t.Errorf("%s/%s: skip reason %q does not name the filter", sp.Scenario, sp.Probe, sp.Message)
		}
	}
	if skipped == 0 || skipped != s.TotalSpecs-s.WillRun {
		t.Errorf("%d skipped, want %d (total %d, will run %d)", skipped, s.TotalSpecs-s.WillRun, s.TotalSpecs, s.WillRun)
	}
}

func TestLoadSetupFailure(t *testing.T) {
	s := loadMerged(t, "setup-fail.json").Suites[0]
	f := s.SetupFailure()
	if f == nil {
		t.Fatal("no setup failure found")
	}
	if f.NodeType != "BeforeSuite" || f.State != StateFailed || f.Name() != "[BeforeSuite] setup" {
		t.Errorf("setup node: type %q state %q name %q", f.NodeType, f.State, f.Name())
	}
	if !strings.Contains(f.Message, "preflight: images missing") || !strings.Contains(f.Message, "egress-conformance/does-not-exist:1") {
		t.Errorf("setup failure message lost: %q", firstRunes(f.Message, 200))
	}
	if !strings.HasSuffix(f.FailureLocation.File, "suites/egress/suite_test.go") || f.FailureLocation.Line == 0 {
		t.Errorf("failure location %s", f.FailureLocation)
	}
	if !strings.Contains(f.Output, "preflight") {
		t.Errorf("captured output lost: %q", f.Output)
	}
	if s.Verdict() != VerdictSetupFailed {
		t.Errorf("verdict %s", s.Verdict())
	}
	// The configured versions, recorded by the suite's ReportAfterSuite.
	for k, want := range map[string]string{"kind-node-image": "egress-conformance/does-not-exist:1", "mode": "hermetic"} {
		if got := s.Property(k); got != want {
			t.Errorf("property %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"istio-version", "run-id", "image-curl", "image-squid", "image-echo"} {
		if s.Property(k) == "" {
			t.Errorf("property %s missing (have %v)", k, s.Properties)
		}
	}
	// Every catalog probe stays in the report, not run, with the reason.
	want := 0
	for _, c := range Catalog() {
		want += len(c.Probes)
	}
	if len(s.Specs) != want {
		t.Fatalf("%d probes after merging the catalog, want %d", len(s.Specs), want)
	}
	for _, sp := range s.Specs {
		if sp.State != StateNotRun || !strings.Contains(sp.Message, "setup failed") || !strings.Contains(sp.Message, "suite_test.go") {
			t.Errorf("%s/%s: %s %q", sp.Scenario, sp.Probe, sp.State, sp.Message)
		}
		if sp.Source == "" || sp.Summary == "" || len(sp.Labels) == 0 {
			t.Errorf("%s/%s: catalog data missing (source %q summary %q labels %v)", sp.Scenario, sp.Probe, sp.Source, sp.Summary, sp.Labels)
		}
	}
}

func TestLoadMixedOutcomes(t *testing.T) {
	s := load(t, "mixed.json").Suites[0]
	byKey := map[string]*Spec{}
	states := map[State]int{}
	for _, sp := range s.Specs {
		byKey[sp.Scenario+"/"+sp.Probe] = sp
		states[sp.State]++
	}
	for _, st := range []State{StatePassed, StateFailed, StateTimedout, StateSkipped} {
		if states[st] == 0 {
			t.Errorf("no %s spec in mixed.json (states %v)", st, states)
		}
	}

	failed := byKey["registry-only-blocks-unknown-host/http-gets-502"]
	if failed == nil || failed.State != StateFailed {
		t.Fatalf("http-gets-502: %+v", failed)
	}
	if !strings.Contains(failed.Message, "negative outcome must hold") || !strings.Contains(failed.Message, "want 502, got 200") {
		t.Errorf("failure message %q", failed.Message)
	}
	if failed.FailureLocation.File == "" || failed.Duration <= 0 {
		t.Errorf("failure location %s, duration %s", failed.FailureLocation, failed.Duration)
	}
	ev, ok := failed.LatestEvidence()
	if !ok || ev.Path == "" || ev.Link() != "scenarios/registry-only-blocks-unknown-host/http-gets-502/attempt-2.json" {
		t.Errorf("evidence %+v link %q", failed.Evidence, ev.Link())
	}
	if failed.Source == "" || failed.Summary == "" {
		t.Errorf("scenario entries not on the probe: source %q summary %q", failed.Source, failed.Summary)
	}
	// The second probe of the scenario gets the scenario entries too (BeforeAll adds them
	// to the first spec only).
	if other := byKey["registry-only-blocks-unknown-host/https-is-reset"]; other == nil || other.Source != failed.Source {
		t.Errorf("https-is-reset: source not spread: %+v", other)
	}

	to := byKey["virtual-service-timeout-504/3s-timeout-answers-504"]
	if to == nil || to.State != StateTimedout || len(to.AdditionalFailures) == 0 || !strings.Contains(to.AdditionalFailures[0], "curl exit 28") {
		t.Errorf("timed-out probe: %+v", to)
	}

	var inBeforeAll, skippedInBeforeAll bool
	for _, sp := range s.Specs {
		if sp.Scenario != "mtls-origination" && sp.Scenario != "wildcard-hosts" {
			continue
		}
		if sp.State == StateFailed && sp.FailureNode == "BeforeAll" && strings.Contains(sp.Message, "opening the scenario") {
			inBeforeAll = true
		}
		if sp.State == StateSkipped && strings.Contains(sp.Message, "applies from Istio 1.32") {
			skippedInBeforeAll = true
		}
	}
	if !inBeforeAll || !skippedInBeforeAll {
		t.Errorf("BeforeAll failure found %v, BeforeAll skip with reason found %v", inBeforeAll, skippedInBeforeAll)
	}
	// Ginkgo records a BeforeAll's reason on the first spec only; the others get it too.
	for _, sp := range s.Specs {
		switch {
		case sp.Scenario == "wildcard-hosts" && !strings.Contains(sp.Message, "applies from Istio 1.32"):
			t.Errorf("wildcard-hosts/%s: skip reason %q", sp.Probe, sp.Message)
		case sp.Scenario == "mtls-origination" && sp.State == StateSkipped && !strings.Contains(sp.Message, "BeforeAll failed (reported on client-certificate-accepted)"):
			t.Errorf("mtls-origination/%s: skip reason %q", sp.Probe, sp.Message)
		}
	}

	nc := byKey["external-https-proxy-tcp-entry/plain-pod-tunnels-through-squid"]
	if nc == nil || len(nc.NotChecked) != 1 {
		t.Errorf("not-checked entry: %+v", nc)
	}

	if len(s.Timings) != 5 || s.Timings[0].Phase != "preflight" || s.Timings[0].Took.String() != "1.2s" {
		t.Errorf("timings %+v", s.Timings)
	}
	if s.Property("istio-version") == "" || !strings.Contains(s.Property("kind-node-image"), "kindest/node") {
		t.Errorf("properties %+v", s.Properties)
	}
	if s.Properties[0].Key != "istio-version" {
		t.Errorf("properties not in sign-off order: first is %s", s.Properties[0].Key)
	}
	teardown := s.FailedSuiteNodes()
	if len(teardown) != 1 || teardown[0].NodeType != "DeferCleanup (Suite)" || teardown[0].Name() != "[DeferCleanup (Suite)] teardown" {
		t.Errorf("failed suite nodes %+v", teardown)
	}
	if s.Verdict() != VerdictFailed {
		t.Errorf("verdict %s", s.Verdict())
	}
	for i := 1; i < len(s.Scenarios); i++ {
		if s.Scenarios[i-1].ID >= s.Scenarios[i].ID {
			t.Errorf("scenarios not sorted: %s before %s", s.Scenarios[i-1].ID, s.Scenarios[i].ID)
		}
	}
	for _, sc := range s.Scenarios {
		for _, l := range sc.Labels {
			if l == "Serial" {
				t.Errorf("%s: Ginkgo's Serial label kept next to serial: %v", sc.ID, sc.Labels)
			}
		}
	}
}

func TestMergeCatalogKeepsOrderAndAddsMissing(t *testing.T) {
	run := load(t, "mixed.json")
	s := run.Suites[0]
	before := len(s.Specs)
	cat := Catalog()
	// A scenario the run did not know and a probe it did not have.
	cat = append(cat, CatalogScenario{ID: "zz-new-scenario", Summary: "new", Source: "docs", Labels: []string{"core"},
		Probes: []CatalogProbe{{Name: "p1", Expectation: "converges: HTTP 200"}}})
	cat[0].Probes = append(cat[0].Probes, CatalogProbe{Name: "added-later", Expectation: "holds: HTTP 502"})
	have := map[string]bool{}
	for _, sp := range s.Specs {
		have[sp.Scenario+"/"+sp.Probe] = true
	}
	missing := 0 // the two above, and whatever the catalog gained since mixed.json was made
	for _, c := range cat {
		for _, p := range c.Probes {
			if !have[c.ID+"/"+p.Name] {
				missing++
			}
		}
	}
	run.MergeCatalog(cat)
	if missing < 2 || len(s.Specs) != before+missing {
		t.Fatalf("%d specs after merging, want %d + %d", len(s.Specs), before, missing)
	}
	last := s.Scenarios[len(s.Scenarios)-1]
	if last.ID != "zz-new-scenario" || last.Verdict() != VerdictNotRun || !strings.Contains(last.Probes[0].Message, "not in this run") {
		t.Errorf("new scenario: %+v", last)
	}
	for _, sc := range s.Scenarios {
		if sc.ID != cat[0].ID {
			continue
		}
		for i, cp := range cat[0].Probes {
			if sc.Probes[i].Probe != cp.Name {
				t.Errorf("probe %d of %s is %s, want catalog order %s", i, sc.ID, sc.Probes[i].Probe, cp.Name)
			}
		}
	}
}

func TestLoadRejectsWhatIsNotAGinkgoReport(t *testing.T) {
	for name, in := range map[string]string{
		"empty":          "  ",
		"not JSON":       "<testsuites/>",
		"no suite":       "[]",
		"empty suite":    "[{}]",
		"truncated":      `[{"SuiteDescription": "x", "SpecReports": [`,
		"wrong type":     `[{"SuiteDescription": "x", "SpecReports": {"a": 1}}]`,
		"spec sans type": `[{"SuiteDescription": "x", "SpecReports": [{"LeafNodeText": "y"}]}]`,
	} {
		if _, err := Load([]byte(in)); err == nil || !strings.Contains(err.Error(), "loading Ginkgo report") {
			t.Errorf("%s: err = %v, want a 'loading Ginkgo report' error", name, err)
		}
	}
}

func TestLoadAcceptsOneSuiteObject(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "mixed.json"))
	if err != nil {
		t.Fatal(err)
	}
	var arr []json.RawMessage
	if err := json.Unmarshal(b, &arr); err != nil {
		t.Fatal(err)
	}
	run, err := Load(arr[0])
	if err != nil || len(run.Suites) != 1 || len(run.Suites[0].Specs) == 0 {
		t.Fatalf("single suite object: %v", err)
	}
}

func TestGist(t *testing.T) {
	msg := "setup\nUnexpected error:\n    <*fmt.wrapError | 0xc000>: \n    preflight: images missing:\n      fix: pull it\n    {\n        msg: \"...\",\n    }\noccurred"
	if got, want := Gist(msg), "setup\npreflight: images missing:\n  fix: pull it"; got != want {
		t.Errorf("Gist = %q, want %q", got, want)
	}
	if got := Gist("plain message\nline 2"); got != "plain message\nline 2" {
		t.Errorf("Gist changed a plain message: %q", got)
	}
	if got := Headline(msg); got != "setup: preflight: images missing: fix: pull it" {
		t.Errorf("Headline = %q", got)
	}
	consistently := "Failed after 0.021s.\nthe negative outcome must hold\nExpected success, but got an error:\n    <*errors.errorString | 0x261d>: \n    HTTP status: want 502, got 200\n    {s: \"HTTP status: want 502, got 200\"}"
	if got, want := Headline(consistently), "Failed after 0.021s. the negative outcome must hold: HTTP status: want 502, got 200"; got != want {
		t.Errorf("Headline = %q, want %q", got, want)
	}
	if got := Headline("A node timeout occurred\nmore"); got != "A node timeout occurred" {
		t.Errorf("Headline of a plain message = %q", got)
	}
}

// TestLoadParallelSetupNodesNamePerProcess: in a parallel run every Ginkgo process reports the
// setup node (process 1 sets the world up, the others attach), so JUnit and the sign-off
// name each by its process; process 1's keeps the serial run's name. The report is reduced
// from a parallel lab run's ginkgo-report.json to the fields Load reads.
func TestLoadParallelSetupNodesNamePerProcess(t *testing.T) {
	var nodes []string
	for p := 1; p <= 3; p++ {
		nodes = append(nodes, `{"LeafNodeType":"SynchronizedBeforeSuite","State":"passed","ParallelProcess":`+string(rune('0'+p))+`}`)
	}
	b := []byte(`[{"SuitePath":"/s","SuiteDescription":"d","SuiteSucceeded":true,"SpecReports":[` + strings.Join(nodes, ",") + `]}]`)
	run, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range run.Suites[0].SuiteNodes {
		names = append(names, n.Name())
	}
	want := []string{"[SynchronizedBeforeSuite] setup", "[SynchronizedBeforeSuite] setup (process 2)", "[SynchronizedBeforeSuite] setup (process 3)"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("names %q, want %q", names, want)
	}
}
