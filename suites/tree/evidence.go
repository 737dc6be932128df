package tree

import (
	"fmt"
	"os"
	"path/filepath"

	. "github.com/onsi/ginkgo/v2"

	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

const maxAttemptFiles = 5

// recordEvidence keeps every attempt's observation under
// <artifacts>/scenarios/<scenario>/<probe>/attempt-<n>.json (in an upgrade run under
// …/<probe>/phase-<n>/) and attaches the last one to the spec's report (JUnit properties and
// the sign-off report read it from there).
func recordEvidence(cfg config.Config, sc scenarios.Scenario, p scenarios.Probe, ph *phase, attempt int, r scenarios.Result) {
	if r.Observation == nil {
		return
	}
	dir := filepath.Join(cfg.ArtifactsDir, "scenarios", sc.Name, p.Name)
	if ph != nil {
		dir = filepath.Join(dir, fmt.Sprintf("phase-%d", ph.n))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		GinkgoWriter.Printf("evidence: %v\n", err)
		return
	}
	b, err := r.Observation.CappedJSON(cfg.EvidenceMaxBytes)
	if err != nil {
		GinkgoWriter.Printf("evidence: %v\n", err)
		return
	}
	// The first attempts and the last one are kept; a long Eventually does not fill the disk.
	name := fmt.Sprintf("attempt-%d.json", attempt)
	if attempt > maxAttemptFiles {
		name = "attempt-last.json"
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		GinkgoWriter.Printf("evidence: %v\n", err)
		return
	}
	o := r.Observation
	note := fmt.Sprintf("attempt %d: HTTP %03d, curl exit %d, %.2fs; %d sidecar and %d gateway log lines, %d squid lines",
		attempt, o.Curl.HTTPCode, o.Curl.ExitCode, o.Elapsed().Seconds(), len(o.SidecarLog), len(o.GatewayLog), len(o.Squid))
	Record(entry.Attempt(note, path), ReportEntryVisibilityFailureOrVerbose)
}
