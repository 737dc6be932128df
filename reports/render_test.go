package reports

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

var testdataReports = []string{"mixed.json", "setup-fail.json", "dry.json", "dry-filtered.json", "dry-upgrade.json", "upgrade-mixed.json"}

// rendered is what write (WriteMarkdown, WriteHTML, WriteJUnit) makes of run.
func rendered(t *testing.T, write func(*Run, io.Writer) error, run *Run) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(run, &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestMarkdownScenarioTable(t *testing.T) {
	for _, name := range testdataReports {
		t.Run(name, func(t *testing.T) {
			run := loadMerged(t, name)
			md := rendered(t, WriteMarkdown, run)
			header, cellsPerRow := "| Scenario | Result | Probes | Labels | Source |\n|---|---|---|---|---|\n", 5
			if phases := run.Suites[0].Phases; len(phases) > 0 {
				header = "| Scenario | Result |"
				for _, ph := range phases {
					header += " " + mdCell(ph.Name) + " |"
				}
				header += " Labels | Source |\n|---|---|" + strings.Repeat("---|", len(phases)) + "---|---|\n"
				cellsPerRow = 4 + len(phases)
			}
			if !strings.Contains(md, header) {
				t.Fatalf("no scenario table header %q", header)
			}
			rows := 0
			table := md[strings.Index(md, "## Scenarios"):]
			if end := strings.Index(table, "\nLegend:"); end >= 0 {
				table = table[:end]
			}
			for _, line := range strings.Split(table, "\n") {
				if strings.HasPrefix(line, "| **") {
					rows++
					// Every row has the five cells: no unescaped pipe leaked out of a cell.
					if cells := len(regexp.MustCompile(`(^|[^\\])\|`).FindAllString(line, -1)) - 1; cells != cellsPerRow {
						t.Errorf("row has %d cells: %s", cells, line)
					}
				}
			}
			s := run.Suites[0]
			if rows != len(s.Scenarios) {
				t.Errorf("%d rows, %d scenarios", rows, len(s.Scenarios))
			}
			for _, sc := range s.Scenarios {
				if !strings.Contains(md, "| **"+mdCell(sc.ID)+"**") {
					t.Errorf("scenario %s has no row", sc.ID)
				}
			}
			if !strings.Contains(md, "## Versions") || !strings.Contains(md, "## Setup phases") || !strings.Contains(md, "## Run") {
				t.Error("a section is missing")
			}
		})
	}
}

func TestMarkdownMixedDetails(t *testing.T) {
	md := rendered(t, WriteMarkdown, loadMerged(t, "mixed.json"))
	for _, want := range []string{
		"# Istio egress conformance — ❌ FAILED",
		"| Istio | `1.31", // versions table
		"| Kubernetes (kind node image) | `docker.io/kindest/node:v1.37.0@sha256:", // with the digest
		"| preflight | 1.2s |", // timings
		"### registry-only-blocks-unknown-host › http-gets-502 (failed)",
		"HTTP status: want 502, got 200",
		"[attempt-2.json](scenarios/registry-only-blocks-unknown-host/http-gets-502/attempt-2.json)",
		"documented behaviour applies from Istio 1.32", // skip reason
		"not run: the scenario's BeforeAll failed (reported on client-certificate-accepted): opening the scenario's namespace and clients: creating namespace", // Ginkgo's generic reason replaced
		`### suite › \[DeferCleanup (Suite)\] teardown (failed)`,                                                              // suite node failure
		"| external-https-proxy-tcp-entry | `plain-pod-tunnels-through-squid` | destination saw TLS with SNI: not applicable", // not checked
		"❌ [`http-gets-502`](#failure-",                                                                                       // matrix links to the failure
		"<details><summary>Full message</summary>",                                                                            // Gomega dump folded away
		"curl exit 28 (operation timed out) after 20s: want HTTP 504",                                                         // timeout's follow-on failure
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
}

func TestMarkdownWithoutTimingsOrProperties(t *testing.T) {
	md := rendered(t, WriteMarkdown, load(t, "dry.json"))
	for _, want := range []string{"_No phase timings recorded in this report._", "A dry run records no suite properties", "> **Dry run.**"} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q", want)
		}
	}
	md = rendered(t, WriteMarkdown, loadMerged(t, "setup-fail.json"))
	if !strings.Contains(md, "> **Setup failed.** No scenario ran. BeforeSuite at egress/suite\\_test.go:") {
		t.Errorf("no setup failure banner:\n%s", firstRunes(md, 600))
	}
}

func TestMarkdownCode(t *testing.T) {
	for in, want := range map[string]string{
		"a|b":     "`a\\|b`",
		"x `y` z": "``x `y` z``",
		"`q`":     "`` `q` ``",
	} {
		if got := mdCode(in); got != want {
			t.Errorf("mdCode(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fence("a ``` b", ""); !strings.HasPrefix(got, "````\n") {
		t.Errorf("fence does not outrun the backticks inside: %q", got)
	}
}

// tokens reads the page with Go's HTML tokenizer and returns the start tags with their
// attributes, failing on anything but a clean end of input.
func tokens(t *testing.T, page string) []html.Token {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(page))
	var out []html.Token
	depth := map[string]int{}
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Fatalf("HTML tokenizer: %v", z.Err())
			}
			for tag, d := range depth {
				if d != 0 {
					t.Errorf("<%s> opened and closed %+d times apart", tag, d)
				}
			}
			return out
		case html.StartTagToken:
			tok := z.Token()
			out = append(out, tok)
			switch tok.Data {
			case "table", "tr", "td", "th", "div", "section", "details", "pre", "ul", "a", "h1", "h2", "h3", "main":
				depth[tok.Data]++
			}
		case html.EndTagToken:
			tok := z.Token()
			if _, ok := depth[tok.Data]; ok || tok.Data == "table" {
				depth[tok.Data]--
			}
		}
	}
}

func attr(tok html.Token, key string) (string, bool) {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func TestHTMLWellFormedWithEveryScenario(t *testing.T) {
	for _, name := range testdataReports {
		t.Run(name, func(t *testing.T) {
			run := loadMerged(t, name)
			page := rendered(t, WriteHTML, run)
			if !strings.HasPrefix(page, "<!DOCTYPE html>") {
				t.Error("no doctype")
			}
			rows := map[string]bool{}
			for _, tok := range tokens(t, page) {
				switch tok.Data {
				case "tr":
					if id, ok := attr(tok, "data-scenario"); ok {
						rows[id] = true
					}
				case "script", "link", "img", "iframe", "object":
					t.Errorf("<%s>: the page must be self-contained", tok.Data)
				}
				if src, ok := attr(tok, "src"); ok {
					t.Errorf("external asset %q", src)
				}
				// Links to the evidence are relative (the folder travels as a whole); the only
				// absolute ones are the scenarios' sources on istio.io, which the page offers
				// to follow and never loads.
				if href, ok := attr(tok, "href"); ok && strings.Contains(href, "://") && !strings.HasPrefix(href, "https://istio.io/") {
					t.Errorf("absolute link %q", href)
				}
			}
			if strings.Contains(page, "url(") || strings.Contains(page, "@import") {
				t.Error("CSS loads something")
			}
			for _, sc := range run.Suites[0].Scenarios {
				if !rows[sc.ID] {
					t.Errorf("scenario %s has no row", sc.ID)
				}
			}
			if len(rows) != len(run.Suites[0].Scenarios) {
				t.Errorf("%d rows for %d scenarios", len(rows), len(run.Suites[0].Scenarios))
			}
		})
	}
}

func TestHTMLContent(t *testing.T) {
	page := rendered(t, WriteHTML, loadMerged(t, "mixed.json"))
	for _, want := range []string{
		`<span class="verdict failed" id="verdict">failed</span>`,
		`<table class="kv" id="versions">`,
		`<td>preflight</td><td class="num">1.2s</td>`,
		`href="scenarios/registry-only-blocks-unknown-host/http-gets-502/attempt-2.json"`,
		`documented behaviour applies from Istio 1.32`,
		`id="failure-`,
		`HTTP status: want 502, got 200`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	page = rendered(t, WriteHTML, loadMerged(t, "setup-fail.json"))
	if !strings.Contains(page, `<strong>Setup failed</strong>No scenario ran. BeforeSuite at egress/suite_test.go:`) {
		t.Error("HTML lacks the setup failure banner")
	}
}

func TestHTMLEscapes(t *testing.T) {
	run := &Run{Suites: []*Suite{{Description: "<script>alert(1)</script>"}}}
	sp := &Spec{Scenario: `x"><script>alert(2)</script>`, Probe: "p", NodeType: "It", State: StateFailed,
		Message: "<img src=x onerror=alert(3)>", Evidence: []Evidence{{Text: "e; javascript:alert(4)", Path: "javascript:alert(4)"}}}
	run.Suites[0].Specs = []*Spec{sp}
	run.Suites[0].group()
	page := rendered(t, WriteHTML, run)
	for _, bad := range []string{"<script>", "<img", `href="javascript:`} {
		if strings.Contains(page, bad) {
			t.Errorf("unescaped %q in the page", bad)
		}
	}
	tokens(t, page)
}

func TestWriteFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "artifacts")
	written, err := WriteFiles(loadMerged(t, "mixed.json"), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) != 3 {
		t.Fatalf("written %v", written)
	}
	for _, f := range []string{JUnitFile, MarkdownFile, HTMLFile} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if _, err := WriteFiles(&Run{}, dir); err == nil {
		t.Error("no error for a run without suites")
	}
}

func TestSourceLinks(t *testing.T) {
	got := string(sourceLinks(`https://istio.io/a/#b, Gateway API tab; <x> https://istio.io/c/ (Istio 1.31 docs)`))
	want := `<a href="https://istio.io/a/#b">https://istio.io/a/#b</a>, Gateway API tab; &lt;x&gt; <a href="https://istio.io/c/">https://istio.io/c/</a> (Istio 1.31 docs)`
	if got != want {
		t.Errorf("sourceLinks:\n got %s\nwant %s", got, want)
	}
}
