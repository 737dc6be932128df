package reports

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// TestRecordedRunsMatchTheTree compares a fresh recording of mixed.json and upgrade-mixed.json
// (suites/testdata/recorded: the suite's real tree on a scripted world, in RECORDED_DIR) with
// the committed ones: every spec, by phase, scenario and probe, must end in the same state
// with the same first line of its message. It is how a change to the tree (suites/tree) is
// seen without a cluster; `make recorded` records and runs it. Without RECORDED_DIR there is
// nothing to compare, and it says so.
func TestRecordedRunsMatchTheTree(t *testing.T) {
	dir := os.Getenv("RECORDED_DIR")
	if dir == "" {
		t.Skip("RECORDED_DIR is not set: run make recorded, which records the runs first")
	}
	for _, name := range []string{"mixed.json", "upgrade-mixed.json"} {
		t.Run(name, func(t *testing.T) {
			fresh, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatalf("the fresh recording: %v", err)
			}
			got, err := Load(fresh)
			if err != nil {
				t.Fatalf("loading the fresh %s: %v", name, err)
			}
			want := load(t, name)
			g, w := outcomes(got), outcomes(want)
			if len(g) == 0 {
				t.Fatalf("the fresh %s has no spec", name)
			}
			for _, k := range sortedUnion(g, w) {
				if g[k] != w[k] {
					t.Errorf("%s:\n  recorded now: %q\n  committed:    %q", k, g[k], w[k])
				}
			}
		})
	}
}

// outcomes are a run's specs by phase, scenario, node and probe: state and first message line,
// with Gomega's measured time taken out (withoutElapsed).
func outcomes(r *Run) map[string]string {
	out := map[string]string{}
	for _, s := range r.Suites {
		for _, sp := range s.Specs {
			msg, _, _ := strings.Cut(sp.Message, "\n")
			msg = withoutElapsed(msg)
			out[fmt.Sprintf("%s | %s | %s %s", sp.Phase, sp.Scenario, sp.NodeType, sp.Probe)] = string(sp.State) + ": " + msg
		}
	}
	return out
}

func sortedUnion(a, b map[string]string) []string {
	var keys []string
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// gomegaElapsed is the time an Eventually or Consistently ran, as Gomega words its failure
// ("Failed after 0.021s.", "Timed out after 1.002s."): measured, so it differs from one
// recording to the next by a millisecond or two.
var gomegaElapsed = regexp.MustCompile(`^(Failed|Timed out) after \d+\.\d{3}s\.`)

// withoutElapsed replaces Gomega's measured time in a failure's first line by "…s", so that
// recordings compare on what failed, not on how long the attempts took.
func withoutElapsed(line string) string {
	return gomegaElapsed.ReplaceAllString(line, "$1 after …s.")
}

func TestWithoutElapsedTakesOutOnlyGomegasTime(t *testing.T) {
	for in, want := range map[string]string{
		"Failed after 0.021s.":                         "Failed after …s.",
		"Failed after 0.000s.":                         "Failed after …s.",
		"Timed out after 12.345s.":                     "Timed out after …s.",
		"curl exit 28 (operation timed out) after 20s": "curl exit 28 (operation timed out) after 20s",
		"want HTTP 502, got HTTP 200 after 0.021s.":    "want HTTP 502, got HTTP 200 after 0.021s.",
	} {
		if got := withoutElapsed(in); got != want {
			t.Errorf("withoutElapsed(%q) = %q, want %q", in, got, want)
		}
	}
}
