package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/egressconformance/iec/reports/entry"
)

// The JUnit dialect read by Jenkins (junit plugin), GitLab (unit test reports) and GitHub
// reporters (dorny/test-reporter, mikepenz/action-junit-report): <testsuites> of
// <testsuite> with <properties>, <testcase classname name time file line> holding
// <properties>, <failure>/<error>/<skipped>, <system-out>.

// JUnitTestSuites is the document root. The JUnit types are exported so tests and tools
// can read the XML back with encoding/xml.
type JUnitTestSuites struct {
	XMLName  xml.Name         `xml:"testsuites"`
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Skipped  int              `xml:"skipped,attr"`
	Time     string           `xml:"time,attr"`
	Suites   []JUnitTestSuite `xml:"testsuite"`
}

// JUnitTestSuite is one suite.
type JUnitTestSuite struct {
	Name       string          `xml:"name,attr"`
	Package    string          `xml:"package,attr,omitempty"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []JUnitProperty `xml:"properties>property"`
	Cases      []JUnitTestCase `xml:"testcase"`
}

// JUnitProperty is a name/value pair.
type JUnitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitTestCase is one spec.
type JUnitTestCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	File       string          `xml:"file,attr,omitempty"`
	Line       int             `xml:"line,attr,omitempty"`
	Properties []JUnitProperty `xml:"properties>property,omitempty"`
	Failure    *JUnitProblem   `xml:"failure,omitempty"`
	Error      *JUnitProblem   `xml:"error,omitempty"`
	Skipped    *JUnitSkipped   `xml:"skipped,omitempty"`
	SystemOut  *JUnitOutput    `xml:"system-out,omitempty"`
}

// JUnitProblem is a <failure> or an <error>.
type JUnitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",cdata"`
}

// JUnitOutput is a <system-out>.
type JUnitOutput struct {
	Text string `xml:",cdata"`
}

// JUnitSkipped is a <skipped>.
type JUnitSkipped struct {
	Message string `xml:"message,attr"`
}

// maxOutput caps a testcase's <system-out>; the whole output stays in the JSON report.
const maxOutput = 64 << 10

// JUnit builds the JUnit document. Every probe is a testcase (classname = scenario id,
// name = probe; in an upgrade run "[phase N] probe", with the phase as a property); a
// suite-level node is one only when it failed, so a failed setup shows as a failed
// "[BeforeSuite] setup" testcase.
func JUnit(run *Run) (*JUnitTestSuites, error) {
	if run == nil {
		return nil, fmt.Errorf("JUnit: no run")
	}
	doc := &JUnitTestSuites{}
	var total time.Duration
	for _, s := range run.Suites {
		ts := JUnitTestSuite{
			Name:    s.Description,
			Package: s.Path,
			Time:    seconds(s.Duration),
		}
		if !s.Start.IsZero() {
			ts.Timestamp = s.Start.UTC().Format("2006-01-02T15:04:05")
		}
		for _, p := range s.Properties {
			ts.Properties = append(ts.Properties, JUnitProperty{Name: p.Key, Value: p.Value})
		}
		ts.Properties = append(ts.Properties, JUnitProperty{Name: "verdict", Value: string(s.Verdict())})
		if s.DryRun {
			ts.Properties = append(ts.Properties, JUnitProperty{Name: "dry-run", Value: "true"})
		}
		for _, t := range s.Timings {
			ts.Properties = append(ts.Properties, JUnitProperty{Name: entry.TimingName(t.Phase), Value: t.Raw})
		}
		ts.Properties = append(ts.Properties, JUnitProperty{Name: "ginkgo-random-seed", Value: strconv.FormatInt(s.RandomSeed, 10)})
		if s.LabelFilter != "" {
			ts.Properties = append(ts.Properties, JUnitProperty{Name: "ginkgo-label-filter", Value: s.LabelFilter})
		}
		for _, f := range s.Focus {
			ts.Properties = append(ts.Properties, JUnitProperty{Name: "ginkgo-focus", Value: f})
		}
		for _, r := range s.FailureReasons {
			ts.Properties = append(ts.Properties, JUnitProperty{Name: "suite-failure", Value: r})
		}

		for _, n := range s.SuiteNodes {
			if n.State.IsFailure() {
				ts.Cases = append(ts.Cases, testCase(s, n, s.Description))
			}
		}
		for _, sc := range s.Scenarios {
			for _, p := range sc.Probes {
				ts.Cases = append(ts.Cases, testCase(s, p, sc.ID))
			}
		}
		for _, c := range ts.Cases {
			ts.Tests++
			switch {
			case c.Failure != nil:
				ts.Failures++
			case c.Error != nil:
				ts.Errors++
			case c.Skipped != nil:
				ts.Skipped++
			}
		}
		doc.Tests += ts.Tests
		doc.Failures += ts.Failures
		doc.Errors += ts.Errors
		doc.Skipped += ts.Skipped
		total += s.Duration
		doc.Suites = append(doc.Suites, ts)
		if doc.Name == "" {
			doc.Name = s.Description
		}
	}
	doc.Time = seconds(total)
	return doc, nil
}

func testCase(s *Suite, sp *Spec, classname string) JUnitTestCase {
	if classname == "" {
		classname = s.Description
	}
	tc := JUnitTestCase{
		Name:      sp.QualifiedName(),
		Classname: classname,
		Time:      seconds(sp.Duration),
		File:      sp.Location.File,
		Line:      sp.Location.Line,
	}
	add := func(name, value string) {
		if value != "" {
			tc.Properties = append(tc.Properties, JUnitProperty{Name: name, Value: value})
		}
	}
	if !sp.IsSuiteNode() {
		add("scenario", classname)
		add("phase", sp.Phase)
		add("probe", sp.Probe)
		add("expectation", sp.Expectation)
		add("summary", sp.Summary)
		add("source", sp.Source)
		add("labels", strings.Join(sp.Labels, ","))
	}
	add("state", string(sp.State))
	for _, e := range sp.Evidence {
		add("evidence", e.Text)
	}
	for _, n := range sp.NotChecked {
		add("not-checked", n)
	}
	for _, p := range sp.Proxies {
		add("proxies", p)
	}
	if sp.Attempts > 1 {
		add("attempts", strconv.Itoa(sp.Attempts))
	}

	switch {
	case sp.State == StateFailed || sp.State == StateTimedout:
		tc.Failure = &JUnitProblem{Message: headline(sp), Type: string(sp.State), Body: xmlSafe(problemBody(sp))}
	case sp.State.IsFailure():
		tc.Error = &JUnitProblem{Message: headline(sp), Type: string(sp.State), Body: xmlSafe(problemBody(sp))}
	case sp.State == StateListed:
		tc.Skipped = &JUnitSkipped{Message: "dry run: listed, not executed"}
	case sp.State.IsSkip():
		msg := sp.Message
		if msg == "" {
			msg = string(sp.State)
		}
		tc.Skipped = &JUnitSkipped{Message: msg}
	}

	if sp.State.IsFailure() {
		var out strings.Builder
		for _, e := range sp.Evidence {
			if e.Path != "" {
				// [[ATTACHMENT|…]] is how Jenkins (junit-attachments) and GitLab find files.
				fmt.Fprintf(&out, "[[ATTACHMENT|%s]]\n", e.Path)
			}
		}
		if sp.Output != "" {
			o := sp.Output
			if len(o) > maxOutput {
				o = "… (cut to the last 64 KiB; the JSON report has it all)\n" + o[len(o)-maxOutput:]
			}
			out.WriteString(o)
		}
		if out.Len() > 0 {
			tc.SystemOut = &JUnitOutput{Text: xmlSafe(out.String())}
		}
	}
	return tc
}

// headline is the first line of the message, prefixed with where it failed when that is
// not the spec itself (e.g. "[BeforeAll] …").
func headline(sp *Spec) string {
	first := Headline(sp.Message)
	if first == "" {
		first = sp.State.Label()
	}
	if sp.FailureNode != "" {
		first = "[" + sp.FailureNode + "] " + first
	}
	return firstRunes(first, 300)
}

func problemBody(sp *Spec) string {
	var b strings.Builder
	b.WriteString(sp.Message)
	if sp.ForwardedPanic != "" {
		b.WriteString("\n\npanic: " + sp.ForwardedPanic)
	}
	if l := sp.FailureLocation.String(); l != "" {
		b.WriteString("\n\nat " + l)
	}
	if sp.FailureNode != "" {
		b.WriteString("\nin " + sp.FailureNode)
		if l := sp.FailureNodeLocation.String(); l != "" {
			b.WriteString(" at " + l)
		}
	}
	for _, a := range sp.AdditionalFailures {
		b.WriteString("\n\nalso: " + a)
	}
	return b.String()
}

// xmlSafe replaces what XML 1.0 cannot hold (control characters, invalid UTF-8) with
// U+FFFD; CDATA sections are written verbatim, so this is done before.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r < 0x20, r == 0xFFFE, r == 0xFFFF, r >= 0xD800 && r <= 0xDFFF:
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// WriteJUnit writes the run as JUnit XML.
func WriteJUnit(run *Run, w io.Writer) error {
	doc, err := JUnit(run)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("writing JUnit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("writing JUnit: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("writing JUnit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("writing JUnit: %w", err)
	}
	return nil
}
