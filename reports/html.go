package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"
)

//go:embed report.html.tmpl
var htmlTemplateText string

var htmlTemplate = template.Must(template.New("report.html").Funcs(template.FuncMap{
	"stateClass":   func(s State) string { return cssClass(string(s)) },
	"verdictClass": func(v Verdict) string { return cssClass(string(v)) },
	"duration":     roundDuration,
	"base":         baseName,
	"add":          func(a, b int) int { return a + b },
	"sourceLinks":  sourceLinks,
}).Parse(htmlTemplateText))

// sourceLinks renders a scenario's source with its https:// references as links (each
// reference runs to the next space; the text around them is escaped).
func sourceLinks(src string) template.HTML {
	var b strings.Builder
	for src != "" {
		i := strings.Index(src, "https://")
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(src))
			break
		}
		b.WriteString(template.HTMLEscapeString(src[:i]))
		j := strings.IndexAny(src[i:], " ;,")
		if j < 0 {
			j = len(src) - i
		}
		u := src[i : i+j]
		fmt.Fprintf(&b, `<a href="%s">%s</a>`, template.HTMLEscapeString(u), template.HTMLEscapeString(u))
		src = src[i+j:]
	}
	return template.HTML(b.String())
}

// cssClass turns a state or verdict into its class name ("setup failed" → "setup-failed").
func cssClass(s string) string {
	if s == "" {
		return "invalid"
	}
	return strings.ReplaceAll(s, " ", "-")
}

type htmlData struct {
	Suites    []suiteView
	Generated string
}

// HTMLOptions tune WriteHTML.
type HTMLOptions struct {
	// Generated, if set, is printed in the footer (left out by default so the output of
	// the same report is byte-for-byte the same).
	Generated time.Time
}

// WriteHTML writes the sign-off report as one self-contained HTML page (inline CSS, no
// script, no external asset).
func WriteHTML(run *Run, w io.Writer) error {
	return WriteHTMLWith(run, w, HTMLOptions{})
}

// WriteHTMLWith is WriteHTML with options.
func WriteHTMLWith(run *Run, w io.Writer, opt HTMLOptions) error {
	if run == nil || len(run.Suites) == 0 {
		return fmt.Errorf("writing HTML: the run holds no suite")
	}
	d := htmlData{}
	for _, s := range run.Suites {
		d.Suites = append(d.Suites, newSuiteView(s))
	}
	if !opt.Generated.IsZero() {
		d.Generated = opt.Generated.UTC().Format("2006-01-02 15:04 MST")
	}
	if err := htmlTemplate.Execute(w, d); err != nil {
		return fmt.Errorf("writing HTML: %w", err)
	}
	return nil
}
