package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// TestJUnitDocument pins the whole document for a small run: the element and attribute
// names CI tools read (see the dialect described in junit.go) are checked here, so the other
// tests can read the XML back with junit.go's own types.
func TestJUnitDocument(t *testing.T) {
	s := &Suite{Description: "egress", Path: "/suite", Duration: 1500 * time.Millisecond,
		Start: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), RandomSeed: 7,
		Properties: []Property{{Key: "mode", Value: "hermetic"}}}
	s.Specs = []*Spec{
		{Scenario: "sc", Probe: "ok", Expectation: "answers 200", NodeType: "It", State: StatePassed,
			Duration: time.Second, Location: Location{File: "sc_test.go", Line: 12}, Labels: []string{"http"}},
		{Scenario: "sc", Probe: "blocked", NodeType: "It", State: StateFailed, Duration: 250 * time.Millisecond,
			Location: Location{File: "sc_test.go"}, Message: "want 502\ngot 200",
			Evidence: []Evidence{{Text: "attempt 1", Path: "e/1.json"}}, Output: "curl said hi"},
		{Scenario: "sc", Probe: "later", NodeType: "It", State: StateSkipped, Message: "not selected"},
	}
	s.SuiteNodes = []*Spec{{NodeType: "AfterSuite", State: StatePanicked, Message: "nil map"}}
	s.group()
	want := `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="egress" tests="4" failures="1" errors="1" skipped="1" time="1.500">
  <testsuite name="egress" package="/suite" tests="4" failures="1" errors="1" skipped="1" time="1.500" timestamp="2025-01-02T03:04:05">
    <properties>
      <property name="mode" value="hermetic"></property>
      <property name="verdict" value="failed"></property>
      <property name="ginkgo-random-seed" value="7"></property>
    </properties>
    <testcase name="[AfterSuite] teardown" classname="egress" time="0.000">
      <properties>
        <property name="state" value="panicked"></property>
      </properties>
      <error message="nil map" type="panicked"><![CDATA[nil map]]></error>
    </testcase>
    <testcase name="ok" classname="sc" time="1.000" file="sc_test.go" line="12">
      <properties>
        <property name="scenario" value="sc"></property>
        <property name="probe" value="ok"></property>
        <property name="expectation" value="answers 200"></property>
        <property name="labels" value="http"></property>
        <property name="state" value="passed"></property>
      </properties>
    </testcase>
    <testcase name="blocked" classname="sc" time="0.250" file="sc_test.go">
      <properties>
        <property name="scenario" value="sc"></property>
        <property name="probe" value="blocked"></property>
        <property name="state" value="failed"></property>
        <property name="evidence" value="attempt 1"></property>
      </properties>
      <failure message="want 502" type="failed"><![CDATA[want 502
got 200]]></failure>
      <system-out><![CDATA[[[ATTACHMENT|e/1.json]]
curl said hi]]></system-out>
    </testcase>
    <testcase name="later" classname="sc" time="0.000">
      <properties>
        <property name="scenario" value="sc"></property>
        <property name="probe" value="later"></property>
        <property name="state" value="skipped"></property>
      </properties>
      <skipped message="not selected"></skipped>
    </testcase>
  </testsuite>
</testsuites>
`
	if got := rendered(t, WriteJUnit, &Run{Suites: []*Suite{s}}); got != want {
		t.Errorf("JUnit document:\n%s\nwant:\n%s", got, want)
	}
}

func junitOf(t *testing.T, run *Run) (JUnitTestSuites, string) {
	t.Helper()
	raw := rendered(t, WriteJUnit, run)
	var doc JUnitTestSuites
	if err := xml.Unmarshal([]byte(raw), &doc); err != nil {
		t.Fatalf("JUnit does not parse as XML: %v\n%s", err, firstRunes(raw, 2000))
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites", len(doc.Suites))
	}
	return doc, raw
}

// systemOut is a testcase's <system-out>, "" when it has none.
func systemOut(c JUnitTestCase) string {
	if c.SystemOut == nil {
		return ""
	}
	return c.SystemOut.Text
}

func props(ps []JUnitProperty) map[string][]string {
	m := map[string][]string{}
	for _, p := range ps {
		m[p.Name] = append(m[p.Name], p.Value)
	}
	return m
}

func checkCounts(t *testing.T, doc JUnitTestSuites) {
	t.Helper()
	s := doc.Suites[0]
	var f, e, sk int
	for _, c := range s.Cases {
		if c.Failure != nil {
			f++
		}
		if c.Error != nil {
			e++
		}
		if c.Skipped != nil {
			sk++
		}
	}
	if s.Tests != len(s.Cases) || s.Failures != f || s.Errors != e || s.Skipped != sk {
		t.Errorf("testsuite counts tests=%d failures=%d errors=%d skipped=%d, testcases say %d/%d/%d/%d",
			s.Tests, s.Failures, s.Errors, s.Skipped, len(s.Cases), f, e, sk)
	}
	if doc.Tests != s.Tests || doc.Failures != s.Failures || doc.Skipped != s.Skipped {
		t.Errorf("testsuites counts differ from the testsuite's")
	}
}

func TestJUnitSetupFailureIsAFailedTestcase(t *testing.T) {
	doc, _ := junitOf(t, loadMerged(t, "setup-fail.json"))
	checkCounts(t, doc)
	s := doc.Suites[0]
	p := props(s.Properties)
	for _, k := range []string{"istio-version", "kind-node-image", "mode", "run-id", "image-curl", "image-squid", "image-echo"} {
		if len(p[k]) != 1 || p[k][0] == "" {
			t.Errorf("suite property %s = %v", k, p[k])
		}
	}
	if p["verdict"][0] != "setup failed" {
		t.Errorf("verdict property %v", p["verdict"])
	}
	var setup *JUnitTestCase
	for i := range s.Cases {
		if s.Cases[i].Name == "[BeforeSuite] setup" {
			setup = &s.Cases[i]
		}
	}
	if setup == nil || setup.Failure == nil {
		t.Fatalf("no failed [BeforeSuite] setup testcase in %d cases", len(s.Cases))
	}
	if !strings.Contains(setup.Failure.Message, "preflight: images missing") || !strings.Contains(setup.Failure.Body, "does-not-exist:1") ||
		!strings.Contains(setup.Failure.Body, "suite_test.go:") {
		t.Errorf("setup failure: message %q body %q", setup.Failure.Message, firstRunes(setup.Failure.Body, 300))
	}
	if !strings.Contains(systemOut(*setup), "preflight") {
		t.Errorf("setup output missing from system-out: %q", systemOut(*setup))
	}
	if s.Failures != 1 || s.Skipped != len(s.Cases)-1 {
		t.Errorf("failures %d skipped %d of %d", s.Failures, s.Skipped, len(s.Cases))
	}
	for _, c := range s.Cases[1:] {
		if c.Skipped == nil || !strings.Contains(c.Skipped.Message, "setup failed") {
			t.Errorf("%s/%s: not skipped with the setup failure: %+v", c.Classname, c.Name, c.Skipped)
		}
	}
}

func TestJUnitPerTestProperties(t *testing.T) {
	run := loadMerged(t, "mixed.json")
	doc, raw := junitOf(t, run)
	checkCounts(t, doc)
	s := doc.Suites[0]
	if p := props(s.Properties); len(p["timing:preflight"]) != 1 || p["timing:preflight"][0] != "1.2s" {
		t.Errorf("timing properties: %v", p)
	}
	cases := map[string]JUnitTestCase{}
	for _, c := range s.Cases {
		cases[c.Classname+"/"+c.Name] = c
		if strings.HasPrefix(c.Name, "[") {
			continue
		}
		p := props(c.Properties)
		if p["scenario"][0] != c.Classname || len(p["source"]) != 1 || len(p["labels"]) != 1 || len(p["expectation"]) != 1 {
			t.Errorf("%s/%s: properties %v", c.Classname, c.Name, p)
		}
	}
	f := cases["registry-only-blocks-unknown-host/http-gets-502"]
	if f.Failure == nil || f.Failure.Type != "failed" || !strings.Contains(f.Failure.Message, "negative outcome must hold") {
		t.Fatalf("http-gets-502: %+v", f)
	}
	if ev := props(f.Properties)["evidence"]; len(ev) != 2 || !strings.Contains(ev[1], "attempt-2.json") {
		t.Errorf("evidence properties %v", ev)
	}
	if !strings.Contains(systemOut(f), "[[ATTACHMENT|_out/artifacts/scenarios/registry-only-blocks-unknown-host/http-gets-502/attempt-2.json]]") {
		t.Errorf("system-out lacks the evidence attachment: %q", systemOut(f))
	}
	if to := cases["virtual-service-timeout-504/3s-timeout-answers-504"]; to.Failure == nil || to.Failure.Type != "timedout" || !strings.Contains(to.Failure.Body, "curl exit 28") {
		t.Errorf("timed out probe: %+v", to.Failure)
	}
	if td := cases["Istio egress conformance/[DeferCleanup (Suite)] teardown"]; td.Failure == nil || !strings.Contains(td.Failure.Message, "deleting kind cluster") {
		t.Errorf("teardown failure testcase: %+v", td)
	}
	skipped := 0
	for _, c := range s.Cases {
		if c.Skipped != nil {
			skipped++
			if c.Skipped.Message == "" {
				t.Errorf("%s/%s skipped without a reason", c.Classname, c.Name)
			}
		}
	}
	if skipped == 0 {
		t.Error("no skipped testcase")
	}
	if strings.Contains(raw, "ReportAfterSuite") {
		t.Error("a passing ReportAfterSuite node became a testcase")
	}
}

func TestJUnitDryRunIsNotAPass(t *testing.T) {
	doc, _ := junitOf(t, load(t, "dry.json"))
	s := doc.Suites[0]
	if s.Failures != 0 || s.Skipped != s.Tests || s.Tests == 0 {
		t.Errorf("dry run: tests %d failures %d skipped %d", s.Tests, s.Failures, s.Skipped)
	}
	if p := props(s.Properties); p["dry-run"][0] != "true" {
		t.Errorf("dry-run property %v", p["dry-run"])
	}
}

// Whatever the suite writes into messages (markup, CDATA ends, control characters,
// invalid UTF-8) must leave the XML well-formed and readable.
func TestJUnitEscapes(t *testing.T) {
	nasty := "got <b>\"x\" & 'y'</b> ]]> then \x1b[31mred\x1b[0m \x00\x07 and \xff\xfe bytes\nline 2"
	run := &Run{Suites: []*Suite{{Description: "s <&>", Duration: time.Second}}}
	sp := &Spec{Scenario: "sc", Probe: "p]]>", NodeType: "It", State: StateFailed, Message: nasty, Output: nasty,
		Evidence: []Evidence{{Text: nasty, Path: "a&b/<c>.json"}}, Labels: []string{"a\"b"}}
	run.Suites[0].Specs = []*Spec{sp}
	run.Suites[0].group()
	run.Suites[0].Properties = []Property{{Key: "k\"<", Value: nasty}}
	doc, _ := junitOf(t, run)
	c := doc.Suites[0].Cases[0]
	if c.Name != "p]]>" || c.Failure == nil || !strings.Contains(c.Failure.Body, "]]> then") || !strings.Contains(c.Failure.Body, "<b>\"x\" & 'y'</b>") {
		t.Errorf("content did not round-trip: %+v", c)
	}
	if !strings.Contains(systemOut(c), "[[ATTACHMENT|a&b/<c>.json]]") {
		t.Errorf("system-out %q", systemOut(c))
	}
	if doc.Suites[0].Name != "s <&>" {
		t.Errorf("suite name %q", doc.Suites[0].Name)
	}
}

func TestWriteJUnitNilRun(t *testing.T) {
	if err := WriteJUnit(nil, &bytes.Buffer{}); err == nil {
		t.Error("no error for a nil run")
	}
}
