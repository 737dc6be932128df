package reports

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// The JUnit schema as CI tools read it, declared here independently of junit.go so the
// test checks the element and attribute names, not just a round trip of our own types.
type xSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Tests    int      `xml:"tests,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Suites   []xSuite `xml:"testsuite"`
}

type xSuite struct {
	Name       string  `xml:"name,attr"`
	Tests      int     `xml:"tests,attr"`
	Failures   int     `xml:"failures,attr"`
	Errors     int     `xml:"errors,attr"`
	Skipped    int     `xml:"skipped,attr"`
	Time       string  `xml:"time,attr"`
	Properties []xProp `xml:"properties>property"`
	Cases      []xCase `xml:"testcase"`
}

type xProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type xCase struct {
	Name       string  `xml:"name,attr"`
	Classname  string  `xml:"classname,attr"`
	Time       string  `xml:"time,attr"`
	Properties []xProp `xml:"properties>property"`
	Failure    *struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",chardata"`
	} `xml:"failure"`
	Error *struct {
		Message string `xml:"message,attr"`
	} `xml:"error"`
	Skipped *struct {
		Message string `xml:"message,attr"`
	} `xml:"skipped"`
	SystemOut string `xml:"system-out"`
}

func junitOf(t *testing.T, run *Run) (xSuites, string) {
	t.Helper()
	var b bytes.Buffer
	if err := WriteJUnit(run, &b); err != nil {
		t.Fatal(err)
	}
	var doc xSuites
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("JUnit does not parse as XML: %v\n%s", err, firstRunes(b.String(), 2000))
	}
	if len(doc.Suites) != 1 {
		t.Fatalf("%d testsuites", len(doc.Suites))
	}
	return doc, b.String()
}

func props(ps []xProp) map[string][]string {
	m := map[string][]string{}
	for _, p := range ps {
		m[p.Name] = append(m[p.Name], p.Value)
	}
	return m
}

func checkCounts(t *testing.T, doc xSuites) {
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
	var setup *xCase
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
	if !strings.Contains(setup.SystemOut, "preflight") {
		t.Errorf("setup output missing from system-out: %q", setup.SystemOut)
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
	cases := map[string]xCase{}
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
	if !strings.Contains(f.SystemOut, "[[ATTACHMENT|_out/artifacts/scenarios/registry-only-blocks-unknown-host/http-gets-502/attempt-2.json]]") {
		t.Errorf("system-out lacks the evidence attachment: %q", f.SystemOut)
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
	if !strings.Contains(c.SystemOut, "[[ATTACHMENT|a&b/<c>.json]]") {
		t.Errorf("system-out %q", c.SystemOut)
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
