package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/egressconformance/iec/reports"
)

// verdictCmd turns a run's Ginkgo JSON report into the exit code of its outcome, so that CI
// can tell "Istio is not conformant" (1) from "the run could not judge" (3) and from an
// interruption (130): Ginkgo itself exits 1 for all of them. It prints one line.
func verdictCmd(_ context.Context, args []string, w io.Writer) error {
	if len(args) != 1 {
		return usageErrorf("needs exactly one REPORT (the run's ginkgo-report.json), got %q", args)
	}
	r, err := reports.LoadFile(args[0])
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("no report to judge at %s (%v): the run stopped before Ginkgo wrote it; its output says why", args[0], pe)
	} else if err != nil {
		return err
	}
	if len(r.Suites) == 0 {
		return fmt.Errorf("%s holds no suite: the run stopped before it started", args[0])
	}
	for _, su := range r.Suites {
		c := su.Count()
		switch v := su.Verdict(); v {
		case reports.VerdictPassed, reports.VerdictPartial, reports.VerdictSkipped:
			fmt.Fprintf(w, "verdict: %s: %d probes passed, %d skipped (exit %d)\n", v, c.Passed, c.Skipped, ExitOK)
		case reports.VerdictSetupFailed:
			return fmt.Errorf("setup failed, no probe was judged: %s", firstLine(su.SetupFailure().Message))
		case reports.VerdictInterrupted:
			return interruptedRun{fmt.Sprintf("the run was interrupted after %d probes passed and %d failed", c.Passed, c.Failed)}
		case reports.VerdictFailed:
			if c.Failed > 0 {
				return notConformant{fmt.Sprintf("not conformant: %d of %d probes failed (%d passed, %d skipped): see report.md beside the report", c.Failed, c.Total, c.Passed, c.Skipped)}
			}
			var nodes []string
			for _, n := range su.FailedSuiteNodes() {
				nodes = append(nodes, n.Name()+": "+firstLine(n.Message))
			}
			return fmt.Errorf("every probe held, but the run failed around them: %v", nodes)
		default:
			return usageErrorf("%s is a %s, which has no verdict: give the report of a real run", args[0], v)
		}
	}
	return nil
}
