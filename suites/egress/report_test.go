//go:build e2e

package egress

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/reports"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/suites/tree"
)

// The sign-off artifacts: after every run (also a failed setup, a dry run or Ctrl-C) the
// suite's report is rendered into the artifacts directory as junit.xml, report.md and
// report.html, next to the evidence under scenarios/. report.json is the input as Ginkgo
// gave it, so `go run ./reports/cmd/egress-report -in report.json -out DIR` renders again.
var _ = ReportAfterSuite("sign-off reports", func(report types.Report) {
	dir := reportsDir()
	props := configProperties()
	// Properties the setup did not record (setup failed before the world existed) are
	// taken from the configuration, and recorded here too so Ginkgo's own JSON report
	// (written after this node) carries them for re-rendering.
	for _, k := range sortedKeys(props) {
		if !hasProperty(report, k) {
			tree.Record(entry.Property(k, props[k]), ReportEntryVisibilityNever)
		}
	}
	b, err := json.Marshal([]types.Report{report})
	Expect(err).NotTo(HaveOccurred(), "encoding Ginkgo's report")
	run, err := reports.Load(b)
	Expect(err).NotTo(HaveOccurred(), "loading Ginkgo's report")
	run.FillProperties(props)
	run.MergeCatalog(reports.Catalog())
	written, err := reports.WriteFiles(run, dir)
	Expect(err).NotTo(HaveOccurred(), "writing the sign-off reports")
	input := filepath.Join(dir, "report.json")
	Expect(os.WriteFile(input, b, 0o644)).To(Succeed(), "writing %s", input)
	tree.Record(entry.New(entry.Reports, fmt.Sprintf("%v (input %s)", written, input)))
})

// reportsDir is the configured artifacts directory, or where it would be when the
// configuration could not be loaded (or was never loaded: dry run).
func reportsDir() string {
	dir := cfg.ArtifactsDir
	if dir == "" {
		dir = os.Getenv("EGRESS_ARTIFACTS")
	}
	if dir == "" {
		dir = "_out/artifacts"
	}
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	return dir
}

// configProperties are the suite properties the configuration already knows, or none when
// it was not loaded.
func configProperties() map[string]string {
	if cfg.RunID == "" {
		return nil
	}
	return fixtures.ConfigProperties(cfg)
}

func hasProperty(report types.Report, key string) bool {
	for _, sr := range report.SpecReports {
		for _, e := range sr.ReportEntries {
			if e.Name == entry.PropertyName(key) {
				return true
			}
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
