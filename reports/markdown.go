package reports

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// WriteMarkdown writes the sign-off report as GitHub-flavoured Markdown: versions, the
// scenario matrix, failures, skip reasons, setup phases, evidence and run details.
func WriteMarkdown(run *Run, w io.Writer) error {
	if run == nil {
		return fmt.Errorf("writing Markdown: no run")
	}
	bw := bufio.NewWriter(w)
	for i, s := range run.Suites {
		if i > 0 {
			fmt.Fprint(bw, "\n---\n\n")
		}
		writeSuiteMarkdown(bw, newSuiteView(s))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("writing Markdown: %w", err)
	}
	return nil
}

var stateIcon = map[State]string{
	StatePassed: "✅", StateFailed: "❌", StateTimedout: "⏱️", StatePanicked: "💥",
	StateInterrupted: "⛔", StateAborted: "⛔", StateSkipped: "⏭️", StatePending: "⏸️",
	StateListed: "📋", StateNotRun: "⬜",
}

var verdictIcon = map[Verdict]string{
	VerdictPassed: "✅", VerdictFailed: "❌", VerdictSkipped: "⏭️", VerdictPartial: "◐",
	VerdictNotRun: "⬜", VerdictListed: "📋", VerdictDryRun: "📋", VerdictSetupFailed: "❌", VerdictInterrupted: "⛔",
}

func icon(s State) string {
	if i, ok := stateIcon[s]; ok {
		return i
	}
	return "❓"
}

func writeSuiteMarkdown(w io.Writer, v suiteView) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }

	p("# %s — %s %s\n\n", mdText(v.Title), verdictIcon[v.Verdict], strings.ToUpper(string(v.Verdict)))
	if len(v.Subtitle) > 0 {
		p("%s\n\n", mdText(strings.Join(v.Subtitle, " · ")))
	}
	if v.Banner != "" {
		title := "Dry run"
		if v.Verdict == VerdictSetupFailed {
			title = "Setup failed"
		}
		p("> **%s.** %s\n\n", title, mdText(v.Banner))
	}
	c := v.Counts
	p("**%d probes in %d scenarios:** %d passed · %d failed · %d skipped", c.Total, len(v.Rows), c.Passed, c.Failed, c.Skipped)
	if c.NotRun > 0 {
		p(" · %d not run", c.NotRun)
	}
	if c.Listed > 0 {
		p(" · %d listed (dry run)", c.Listed)
	}
	if len(v.Phases) > 0 {
		p(" — every probe once per phase of the upgrade")
	}
	p("\n\n")

	p("## Versions\n\n")
	if len(v.Properties) == 0 {
		p("_%s_\n\n", mdText(v.NoProps))
	} else {
		p("| | |\n|---|---|\n")
		for _, pr := range v.Properties {
			p("| %s | %s |\n", mdCell(pr.Title), mdCode(pr.Value))
		}
		p("\n")
	}

	if len(v.Phases) > 0 {
		p("## Upgrade phases\n\n| Phase | Result | Probes | Passed | Failed | Skipped | Not run / listed | Proxies reported |\n|---|---|---:|---:|---:|---:|---:|---|\n")
		for _, ph := range v.Phases {
			c := ph.Counts
			proxies := ph.Proxies
			if proxies == "" {
				proxies = "—"
			}
			p("| %s | %s %s | %d | %d | %d | %d | %d | %s |\n", mdCell(ph.Name), verdictIcon[ph.Verdict], mdCell(string(ph.Verdict)),
				c.Total, c.Passed, c.Failed, c.Skipped, c.NotRun+c.Listed, mdCell(proxies))
		}
		p("\n")
	}

	p("## Scenarios\n\n")
	switch {
	case len(v.Rows) == 0:
		p("_No scenario in this report._\n\n")
	case len(v.Phases) > 0:
		writePhaseMatrix(w, v)
	default:
		p("| Scenario | Result | Probes | Labels | Source |\n|---|---|---|---|---|\n")
		for _, r := range v.Rows {
			var probes []string
			for _, pr := range r.Probes {
				probes = append(probes, mdProbe(pr))
			}
			id := "**" + mdCell(r.ID) + "**"
			if r.Summary != "" {
				id += "<br>" + mdCell(r.Summary)
			}
			p("| %s | %s %s | %s | %s | %s |\n", id, verdictIcon[r.Verdict], mdCell(string(r.Verdict)),
				strings.Join(probes, "<br>"), mdCell(strings.Join(r.Labels, ", ")), mdCell(r.Source))
		}
		p("\nLegend: ✅ passed · ❌ failed · ⏱️ timed out · ⏭️ skipped · ⬜ not run · 📋 listed (dry run)\n\n")
	}

	if len(v.Failures) > 0 {
		p("## Failures\n\n")
		for _, f := range v.Failures {
			p("<a id=\"%s\"></a>\n### %s › %s (%s)\n\n", f.Anchor, mdText(f.Scenario), mdText(f.Name), f.State.Label())
			if f.Where != "" {
				p("At %s\n\n", mdInlineCode(f.Where))
			}
			p("%s\n", fence(f.Gist, ""))
			for _, x := range f.Extra {
				p("%s\n", fence(x, ""))
			}
			if f.Gist != f.Message {
				p("<details><summary>Full message</summary>\n\n%s\n</details>\n\n", fence(f.Message, ""))
			}
			for _, n := range f.NotChecked {
				p("- not checked: %s\n", mdText(n))
			}
			if f.EarlierEvidence > 0 {
				p("- evidence: %d earlier attempts in the JUnit properties and the JSON report\n", f.EarlierEvidence)
			}
			for _, e := range f.Evidence {
				p("- evidence: %s\n", mdEvidence(e))
			}
			if len(f.NotChecked)+len(f.Evidence) > 0 {
				p("\n")
			}
		}
	}

	if len(v.Skips) > 0 {
		p("## Skipped and not run\n\n| Reason | Probes |\n|---|---|\n")
		for _, s := range v.Skips {
			probes := fmt.Sprintf("all %d probes", len(s.Probes))
			if !s.All {
				cells := make([]string, len(s.Probes))
				for i, pr := range s.Probes {
					cells[i] = mdCell(pr)
				}
				probes = strings.Join(cells, "<br>")
			}
			p("| %s | %s |\n", mdCell(s.Reason), probes)
		}
		p("\n")
	}

	if len(v.NotChecked) > 0 {
		p("## Not checked\n\nChecks a probe could not judge in this run; they never count as passed.\n\n| Scenario | Probe | Check |\n|---|---|---|\n")
		for _, n := range v.NotChecked {
			p("| %s | %s | %s |\n", mdCell(n.Scenario), mdCode(n.Probe), mdCell(n.Check))
		}
		p("\n")
	}

	p("## Setup phases\n\n")
	if len(v.Timings) == 0 {
		p("_No phase timings recorded in this report._\n\n")
	} else {
		p("| Phase | Took |\n|---|---:|\n")
		for _, t := range v.Timings {
			p("| %s | %s |\n", mdCell(t.Phase), mdCell(t.Raw))
		}
		p("| **total** | **%s** |\n\n", roundDuration(v.TimingTotal))
	}

	if len(v.Evidence) > 0 {
		p("## Evidence\n\nThe last attempt of every probe (the one its verdict rests on).\n\n| Scenario | Probe | State | Attempts | Last attempt |\n|---|---|---|---:|---|\n")
		for _, e := range v.Evidence {
			p("| %s | %s | %s %s | %d | %s |\n", mdCell(e.Scenario), mdCode(e.Probe), icon(e.State), e.State.Label(), e.Attempts, mdEvidence(e.Evidence))
		}
		p("\n")
	}

	p("## Run\n\n| | |\n|---|---|\n")
	for _, d := range v.Details {
		p("| %s | %s |\n", mdCell(d.Title), mdCell(d.Value))
	}
	p("\n")
}

var mdSpecial = regexp.MustCompile("([\\\\`*_\\[\\]<>|~])")

// mdText escapes Markdown syntax in running text.
func mdText(s string) string {
	return mdSpecial.ReplaceAllString(s, `\$1`)
}

// mdCell is mdText for a table cell: one line.
func mdCell(s string) string {
	return strings.ReplaceAll(mdText(strings.TrimSpace(s)), "\n", "<br>")
}

// mdCode is a code span for a table cell: it holds any text (also backticks and pipes).
func mdCode(s string) string {
	// Inside a table a pipe ends the cell even in a code span; GitHub reads \| as a pipe.
	return mdInlineCode(strings.ReplaceAll(s, "|", `\|`))
}

// mdInlineCode is a code span in running text.
func mdInlineCode(s string) string {
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(strings.TrimSpace(s), "\n", " ")
	ticks := strings.Repeat("`", longestRun(s, '`')+1)
	pad := ""
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		pad = " "
	}
	return ticks + pad + s + pad + ticks
}

// fence is a fenced code block longer than any backtick run inside it.
func fence(s, lang string) string {
	n := longestRun(s, '`') + 1
	if n < 3 {
		n = 3
	}
	f := strings.Repeat("`", n)
	return f + lang + "\n" + strings.TrimRight(s, "\n") + "\n" + f + "\n"
}

func mdEvidence(e Evidence) string {
	if e.Path == "" {
		return mdCell(e.Text)
	}
	return fmt.Sprintf("%s [%s](%s)", mdCell(e.Note()), mdText(baseName(e.Path)), mdLinkTarget(e.Link()))
}

// mdLinkTarget keeps a link target in one piece: <…> allows spaces; <, > and newlines
// are percent-encoded.
func mdLinkTarget(s string) string {
	r := strings.NewReplacer("<", "%3C", ">", "%3E", "\n", "%0A", " ", "%20", "(", "%28", ")", "%29")
	return r.Replace(s)
}

func baseName(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		return p[i+1:]
	}
	return p
}

func longestRun(s string, c byte) int {
	best, cur := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			cur++
			if cur > best {
				best = cur
			}
		} else {
			cur = 0
		}
	}
	return best
}

// writePhaseMatrix is the scenario table of an upgrade run: one column per phase, holding
// the scenario's verdict in that phase and its probes.
func writePhaseMatrix(w io.Writer, v suiteView) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("| Scenario | Result |")
	for _, ph := range v.Phases {
		p(" %s |", mdCell(ph.Name))
	}
	p(" Labels | Source |\n|---|---|%s---|---|\n", strings.Repeat("---|", len(v.Phases)))
	for _, r := range v.Rows {
		id := "**" + mdCell(r.ID) + "**"
		if r.Summary != "" {
			id += "<br>" + mdCell(r.Summary)
		}
		p("| %s | %s %s |", id, verdictIcon[r.Verdict], mdCell(string(r.Verdict)))
		for _, c := range r.Phases {
			cell := []string{verdictIcon[c.Verdict] + " " + mdCell(string(c.Verdict))}
			for _, pr := range c.Probes {
				cell = append(cell, mdProbe(pr))
			}
			p(" %s |", strings.Join(cell, "<br>"))
		}
		p(" %s | %s |\n", mdCell(strings.Join(r.Labels, ", ")), mdCell(r.Source))
	}
	p("\nLegend: ✅ passed · ❌ failed · ⏱️ timed out · ⏭️ skipped · ⬜ not run · 📋 listed (dry run)\n\n")
}

// mdProbe is a probe in the matrix: its state's icon and name, linked to its failure.
func mdProbe(pr probeView) string {
	if pr.Anchor != "" {
		return icon(pr.State) + " [" + mdCode(pr.Name) + "](#" + pr.Anchor + ")"
	}
	return icon(pr.State) + " " + mdCode(pr.Name)
}
