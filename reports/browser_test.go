//go:build browser

package reports

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// The HTML report in a real browser: Debian's headless Chromium renders every testdata
// report; the screenshot must show a page (not a blank one) and the DOM Chromium built must
// hold one scenario row per scenario. Run with `go test -tags browser ./reports/`; set
// REPORTS_SCREENSHOTS=DIR to keep the screenshots.

func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("CHROMIUM"); p != "" {
		if _, err := exec.LookPath(p); err != nil {
			t.Fatalf("CHROMIUM=%s: %v: apt-get install chromium, or point CHROMIUM at it", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatal("chromium not found: the browser test needs it: apt-get install chromium (or set CHROMIUM to its path)")
	return ""
}

func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return stdout.Bytes()
}

func TestHTMLInBrowser(t *testing.T) {
	bin := chromium(t)
	keep := os.Getenv("REPORTS_SCREENSHOTS")
	for _, name := range testdataReports {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run := loadMerged(t, name)
			dir := t.TempDir()
			page := filepath.Join(dir, "report.html")
			f, err := os.Create(page)
			if err != nil {
				t.Fatal(err)
			}
			if err := WriteHTML(run, f); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}
			url := "file://" + page

			// One page load gives both: headless Chromium writes the screenshot and prints the
			// DOM after scripts ran.
			shot := filepath.Join(dir, "screenshot.png")
			dom := runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,1600", "--dump-dom", url)
			checkScreenshot(t, shot)
			if keep != "" {
				if b, err := os.ReadFile(shot); err == nil {
					_ = os.MkdirAll(keep, 0o755)
					_ = os.WriteFile(filepath.Join(keep, strings.TrimSuffix(name, ".json")+".png"), b, 0o644)
				}
			}

			rows := scenarioRows(t, dom)
			for _, sc := range run.Suites[0].Scenarios {
				if !rows[sc.ID] {
					t.Errorf("the rendered DOM has no row for scenario %s", sc.ID)
				}
			}
			if len(rows) != len(run.Suites[0].Scenarios) {
				t.Errorf("%d scenario rows rendered, %d scenarios", len(rows), len(run.Suites[0].Scenarios))
			}
		})
	}
}

func checkScreenshot(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot is not a PNG: %v", err)
	}
	b := img.Bounds()
	if b.Dx() != 1280 || b.Dy() != 1600 {
		t.Errorf("screenshot is %dx%d, want 1280x1600", b.Dx(), b.Dy())
	}
	colours := map[[3]uint32]int{}
	nonWhite := 0
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, _ := img.At(x, y).RGBA()
			colours[[3]uint32{r >> 8, g >> 8, bl >> 8}]++
			if r>>8 < 240 || g>>8 < 240 || bl>>8 < 240 {
				nonWhite++
			}
		}
	}
	sampled := (b.Dx() / 2) * (b.Dy() / 2)
	if len(colours) < 64 {
		t.Errorf("screenshot has %d distinct colours: the page looks blank", len(colours))
	}
	if nonWhite < sampled/100 {
		t.Errorf("only %d of %d sampled pixels are not white: the page looks blank", nonWhite, sampled)
	}
	// The status colours are there: some clearly green, red or blue-ish pixels.
	if !hasTint(img) {
		t.Error("no status colour in the screenshot")
	}
}

func hasTint(img image.Image) bool {
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			r, g, bl = r>>8, g>>8, bl>>8
			if absDiff(r, g) > 60 || absDiff(g, bl) > 60 || absDiff(r, bl) > 60 {
				return true
			}
		}
	}
	return false
}

func absDiff(a, b uint32) uint32 {
	if a > b {
		return a - b
	}
	return b - a
}

// scenarioRows parses the DOM Chromium dumped and returns the scenario ids of the rows
// of the scenario table.
func scenarioRows(t *testing.T, dom []byte) map[string]bool {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatalf("parsing the dumped DOM: %v", err)
	}
	rows := map[string]bool{}
	var inTable bool
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "table" && attrOf(n, "id") == "scenarios" {
			inTable = true
			defer func() { inTable = false }()
		}
		if inTable && n.Type == html.ElementNode && n.Data == "tr" && strings.Contains(attrOf(n, "class"), "scenario") {
			id := attrOf(n, "data-scenario")
			if id == "" || !strings.Contains(textOf(n), id) {
				t.Errorf("scenario row without its id shown: %q", id)
			}
			rows[id] = true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if len(rows) == 0 {
		t.Errorf("no scenario rows in the dumped DOM (%d bytes)", len(dom))
	}
	return rows
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	if n.Type == html.TextNode {
		return n.Data
	}
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(textOf(c))
	}
	return b.String()
}
