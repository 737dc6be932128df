package reports

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// suiteView is what the Markdown and HTML reports show for one suite, computed once.
type suiteView struct {
	Title       string
	Verdict     Verdict
	VerdictNote string
	Subtitle    []string
	Banner      string // setup failure or dry run, one paragraph
	BannerLink  string // anchor of the failure the banner is about
	NoProps     string // why the versions table is empty
	Counts      Counts
	// Phases are the upgrade phases (an upgrade run), with their counts; rows then have one
	// cell per phase.
	Phases      []phaseView
	Properties  []propertyView
	Timings     []Timing
	TimingTotal time.Duration
	Rows        []rowView
	Failures    []failureView
	Skips       []skipView
	Evidence    []evidenceView
	NotChecked  []notCheckedView
	Details     []propertyView
}

type propertyView struct{ Title, Key, Value string }

type rowView struct {
	ID, Summary, Source string
	Labels              []string
	Verdict             Verdict
	Location            string
	Probes              []probeView
	// Phases are the row's cells of an upgrade run, one per Suite phase (else empty).
	Phases []phaseCell
}

// phaseView is one upgrade phase: its name and how its probes did.
type phaseView struct {
	Index       int
	Name, Short string
	Counts      Counts
	Verdict     Verdict
	// Proxies says which versions the phase's proxies reported ("proxies" entries), e.g.
	// "sidecars 1.31.0 ×20 · gateways 1.32.0 ×3"; "" when the phase recorded none.
	Proxies string
}

// phaseCell is a scenario in one upgrade phase.
type phaseCell struct {
	Short   string
	Verdict Verdict
	Probes  []probeView
}

type probeView struct {
	Name, Expectation string
	State             State
	Duration          string
	Anchor            string // the failure's anchor, if it failed
}

type failureView struct {
	Anchor, Scenario, Name string
	State                  State
	Where                  string // failure location (and node)
	Message                string
	Gist                   string   // the message without Gomega's value dump; = Message if nothing to cut
	Extra                  []string // panic, additional failures
	Evidence               []Evidence
	EarlierEvidence        int // attempts left out before Evidence
	NotChecked             []string
}

// maxFailureEvidence is how many of a failed probe's last attempts its failure card lists.
const maxFailureEvidence = 5

// skipView is one skip reason and the probes it applies to.
type skipView struct {
	Reason string
	Probes []string // "scenario › probe"
	// All: the reason applies to every probe of the report.
	All bool
}

// notCheckedView is a check a probe could not judge in this run (it never counts as a pass).
type notCheckedView struct{ Scenario, Probe, Check string }

// evidenceView is a probe's last evidence entry (the attempt its verdict rests on).
type evidenceView struct {
	Scenario, Probe string
	State           State
	Evidence        Evidence
	Attempts        int // evidence entries the probe has
}

func newSuiteView(s *Suite) suiteView {
	v := suiteView{Title: s.Description, Verdict: s.Verdict(), Counts: s.Count()}
	if r := s.Property("run-id"); r != "" {
		v.Subtitle = append(v.Subtitle, "run "+r)
	}
	if m := s.Property("mode"); m != "" {
		v.Subtitle = append(v.Subtitle, "mode "+m)
	}
	if iv := s.Property("istio-version"); iv != "" {
		if to := s.Property("istio-upgrade-to"); to != "" {
			iv += " → " + to + " (in-place upgrade)"
		}
		v.Subtitle = append(v.Subtitle, "Istio "+iv)
	}
	if !s.Start.IsZero() {
		v.Subtitle = append(v.Subtitle, s.Start.UTC().Format("2006-01-02 15:04 MST"))
	}
	if s.Duration > 0 {
		v.Subtitle = append(v.Subtitle, "took "+roundDuration(s.Duration))
	}

	switch {
	case s.SetupFailure() != nil:
		f := s.SetupFailure()
		v.Banner = fmt.Sprintf("No scenario ran. %s at %s: %s", f.NodeType, f.FailureLocation.Short(), firstRunes(Headline(f.Message), 240))
	case s.DryRun:
		v.Banner = "The specs were listed, nothing was executed: this report shows the tree, not a verdict."
	}
	switch v.Verdict {
	case VerdictPassed:
		if v.Counts.Skipped > 0 || v.Counts.NotRun > 0 {
			v.VerdictNote = fmt.Sprintf("%d of %d probes skipped", v.Counts.Skipped+v.Counts.NotRun, v.Counts.Total)
		}
	case VerdictFailed:
		v.VerdictNote = fmt.Sprintf("%d of %d probes failed", v.Counts.Failed, v.Counts.Total)
		if n := len(s.FailedSuiteNodes()); n > 0 {
			v.VerdictNote += fmt.Sprintf(", %d suite node(s) failed", n)
		}
	}

	v.NoProps = "The report carries no suite properties: the setup did not get far enough to record them."
	if s.DryRun {
		v.NoProps = "A dry run records no suite properties: nothing was set up."
	}
	for _, p := range s.Properties {
		v.Properties = append(v.Properties, propertyView{Title: PropertyTitle(p.Key), Key: p.Key, Value: p.Value})
	}
	v.Timings = s.Timings
	for _, t := range s.Timings {
		v.TimingTotal += t.Took
	}

	skipAt := map[string]int{}
	addSkip := func(reason, probe string) {
		i, ok := skipAt[reason]
		if !ok {
			i = len(v.Skips)
			skipAt[reason] = i
			v.Skips = append(v.Skips, skipView{Reason: reason})
		}
		v.Skips[i].Probes = append(v.Skips[i].Probes, probe)
	}
	n := 0
	addFailure := func(scenario string, sp *Spec) string {
		n++
		anchor := fmt.Sprintf("failure-%d", n)
		where := sp.FailureLocation.String()
		if sp.FailureNode != "" {
			where = strings.TrimSpace(where + " (in " + sp.FailureNode + ")")
		}
		fv := failureView{Anchor: anchor, Scenario: scenario, Name: sp.QualifiedName(), State: sp.State, Where: where,
			Message: sp.Message, Gist: Gist(sp.Message), Evidence: sp.Evidence, NotChecked: sp.NotChecked}
		if n := len(fv.Evidence); n > maxFailureEvidence {
			fv.EarlierEvidence = n - maxFailureEvidence
			fv.Evidence = fv.Evidence[n-maxFailureEvidence:]
		}
		if sp.ForwardedPanic != "" {
			fv.Extra = append(fv.Extra, "panic: "+sp.ForwardedPanic)
		}
		for _, a := range sp.AdditionalFailures {
			fv.Extra = append(fv.Extra, "also: "+Gist(a))
		}
		v.Failures = append(v.Failures, fv)
		return anchor
	}
	for _, nd := range s.FailedSuiteNodes() {
		if a := addFailure("suite", nd); nd == s.SetupFailure() {
			v.BannerLink = a
		}
	}
	for _, ph := range s.Phases {
		pv := phaseView{Index: ph.Index, Name: ph.Name, Short: ph.Short()}
		in := &Scenario{}
		for _, sp := range s.Specs {
			if sp.PhaseIndex == ph.Index {
				in.Probes = append(in.Probes, sp)
			}
		}
		pv.Counts = (&Suite{Specs: in.Probes}).Count()
		pv.Verdict = in.Verdict()
		pv.Proxies = proxySummary(in.Probes)
		v.Phases = append(v.Phases, pv)
	}
	for _, sc := range s.Scenarios {
		row := rowView{ID: sc.ID, Summary: sc.Summary, Source: sc.Source, Labels: sc.Labels, Verdict: sc.Verdict(), Location: sc.Location.Short()}
		if row.ID == "" {
			row.ID = "(specs outside a scenario)"
		}
		cells := map[int]*phaseCell{}
		for _, ph := range v.Phases {
			row.Phases = append(row.Phases, phaseCell{Short: ph.Short})
		}
		for i := range row.Phases {
			cells[v.Phases[i].Index] = &row.Phases[i]
		}
		perPhase := map[int]*Scenario{}
		for _, p := range sc.Probes {
			pv := probeView{Name: p.Name(), Expectation: p.Expectation, State: p.State}
			if p.Duration > 0 {
				pv.Duration = roundDuration(p.Duration)
			}
			if p.State.IsFailure() {
				pv.Anchor = addFailure(row.ID, p)
			}
			if p.State.IsSkip() && p.State != StateListed && p.Message != "" {
				addSkip(p.Message, row.ID+" › "+p.QualifiedName())
			}
			for _, nc := range p.NotChecked {
				v.NotChecked = append(v.NotChecked, notCheckedView{Scenario: row.ID, Probe: p.QualifiedName(), Check: nc})
			}
			if e, ok := p.LatestEvidence(); ok {
				v.Evidence = append(v.Evidence, evidenceView{Scenario: row.ID, Probe: p.QualifiedName(), State: p.State, Evidence: e, Attempts: len(p.Evidence)})
			}
			row.Probes = append(row.Probes, pv)
			if c := cells[p.PhaseIndex]; c != nil {
				c.Probes = append(c.Probes, pv)
				if perPhase[p.PhaseIndex] == nil {
					perPhase[p.PhaseIndex] = &Scenario{}
				}
				perPhase[p.PhaseIndex].Probes = append(perPhase[p.PhaseIndex].Probes, p)
			}
		}
		for i := range row.Phases {
			in := perPhase[v.Phases[i].Index]
			if in == nil {
				in = &Scenario{}
			}
			row.Phases[i].Verdict = in.Verdict()
		}
		v.Rows = append(v.Rows, row)
	}

	for i := range v.Skips {
		v.Skips[i].All = len(v.Skips[i].Probes) == v.Counts.Total && v.Counts.Total > 1
	}

	det := func(title, value string) {
		if value != "" {
			v.Details = append(v.Details, propertyView{Title: title, Value: value})
		}
	}
	det("Suite", s.Path)
	det("Specs in the suite", fmt.Sprint(s.TotalSpecs))
	det("Specs selected to run", fmt.Sprint(s.WillRun))
	det("Random seed", fmt.Sprint(s.RandomSeed))
	det("Label filter", s.LabelFilter)
	det("Focus", strings.Join(s.Focus, ", "))
	det("Skip", strings.Join(s.Skip, ", "))
	if s.Parallel > 1 {
		det("Parallel processes", fmt.Sprint(s.Parallel))
	}
	if !s.Start.IsZero() {
		det("Started", s.Start.UTC().Format(time.RFC3339))
	}
	if !s.End.IsZero() {
		det("Ended", s.End.UTC().Format(time.RFC3339))
	}
	for _, r := range s.FailureReasons {
		det("Suite failure", r)
	}
	return v
}

// roundDuration prints a duration at a precision that reads well in a table.
func roundDuration(d time.Duration) string {
	switch {
	case d <= 0:
		return "0s"
	case d < time.Millisecond:
		return d.Round(time.Microsecond).String()
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(10 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// typeLine is Gomega's "<*pkg.Type | 0xc000123>: " line that precedes an error's text.
var typeLine = regexp.MustCompile(`^\s*<[^<>]+>: ?$`)

// gomegaNoise are Gomega's framing lines that say nothing about the failure.
var gomegaNoise = map[string]bool{"Unexpected error:": true, "Expected success, but got an error:": true}

// gistParts splits a Gomega error failure into the lines before the error (annotation,
// "Timed out after 2s." …) and the error's text (dedented), without Gomega's dump of the
// error value ("{…}") and the closing "occurred". ok is false for messages of another shape.
func gistParts(msg string) (head, body []string, ok bool) {
	lines := strings.Split(msg, "\n")
	at := -1
	for i, l := range lines {
		if typeLine.MatchString(l) {
			at = i
			break
		}
	}
	if at < 0 {
		return nil, nil, false
	}
	for _, l := range lines[:at] {
		if t := strings.TrimSpace(l); t != "" && !gomegaNoise[t] {
			head = append(head, strings.TrimRight(l, " "))
		}
	}
	indent := len(lines[at]) - len(strings.TrimLeft(lines[at], " \t"))
	for _, l := range lines[at+1:] {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "{") || t == "occurred" {
			break
		}
		if len(l) >= indent && strings.TrimSpace(l[:indent]) == "" {
			l = l[indent:]
		}
		body = append(body, strings.TrimRight(l, " "))
	}
	for len(body) > 0 && strings.TrimSpace(body[len(body)-1]) == "" {
		body = body[:len(body)-1]
	}
	return head, body, true
}

// Gist is a failure message without Gomega's framing and dump of the error value: the
// lines before the error, then the error's text. Other messages come back unchanged.
func Gist(msg string) string {
	head, body, ok := gistParts(msg)
	if !ok {
		return msg
	}
	return strings.TrimSpace(strings.Join(append(head, body...), "\n"))
}

// Headline is a failure message in one line, for banners and JUnit's message attribute:
// the lines before the error joined, then the error's first line (continued while it ends
// with ":"). Other messages give their first line.
func Headline(msg string) string {
	head, body, ok := gistParts(msg)
	if !ok {
		lines := strings.Split(strings.TrimSpace(msg), "\n")
		head, body = nil, lines
	}
	out := ""
	add := func(p string) {
		p = strings.TrimSpace(p)
		switch {
		case p == "":
		case out == "":
			out = p
		case strings.HasSuffix(out, ":") || strings.HasSuffix(out, "."):
			out += " " + p
		default:
			out += ": " + p
		}
	}
	for _, h := range head {
		add(h)
	}
	for i, b := range body {
		if i > 0 && !strings.HasSuffix(strings.TrimSpace(body[i-1]), ":") || i > 3 {
			break
		}
		add(b)
	}
	return out
}
