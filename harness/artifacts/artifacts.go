// Package artifacts keeps a run's artifacts folder to one run: before a run starts, what an
// earlier run wrote there is removed, and a folder that holds anything else is refused.
package artifacts

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
)

// Bundles is the folder of a run's failure bundles (package bundle), one per failed spec.
const Bundles = "bundles"

// RunOutputs are the names a run writes at the top of its artifacts folder: the reports
// (reports/cmd), Ginkgo's own (the Makefile's --json-report and --junit-report), the probes'
// evidence (scenarios/), the failure bundles (Bundles), the cluster's kubeconfig (kube/)
// and kind's logs of a failed create (kind-logs/). "evidence" is where runs before the
// bundles had their own name put them: an earlier run's outputs, cleared like the others.
var RunOutputs = []string{
	"report.md", "report.html", "report.json", "junit.xml",
	"ginkgo-report.json", "ginkgo-junit.xml",
	"scenarios", Bundles, "kube", "kind-logs", "evidence",
}

// Prepare makes dir ready for a new run: it creates it when missing, and removes what an
// earlier run wrote there (returned, by name), so that no report, verdict or evidence of two
// runs can mix. Anything that is not a run's output is left alone, and refused: the folder
// belongs to someone else.
func Prepare(dir string) (removed []string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the artifacts folder %s: %w: set EGRESS_ARTIFACTS to a folder this user can write", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading the artifacts folder %s: %w", dir, err)
	}
	var foreign []string
	for _, e := range entries {
		if !slices.Contains(RunOutputs, e.Name()) {
			foreign = append(foreign, e.Name())
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return nil, fmt.Errorf("the artifacts folder %s holds %q, which no run writes: give an empty folder or an earlier run's with EGRESS_ARTIFACTS (a run clears only its own kind of outputs)", dir, foreign)
	}
	var errs []error
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, e.Name())
	}
	if err := errors.Join(errs...); err != nil {
		return removed, fmt.Errorf("clearing an earlier run's outputs from %s: %w", dir, err)
	}
	return removed, nil
}
