package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/reports"
	"github.com/egressconformance/iec/reports/entry"
)

// The upgrade lab run (make e2e-upgrade-lab) is checked like a plain lab run, and also: all
// three phases ran and each passed probes; a later phase skips a probe only for a reason the
// upgrade tree gives (fixtures.IntermediateConfigSkip, fixtures.MeshPolicySkip); and every
// proxy reports the build its phase expects: in phase 2 the sidecar clients still the first
// build (nothing restarted them), in phase 3 every proxy the second one.

// upgradePhases is the number of phases an upgrade run has (docs/upgrade.md).
const upgradePhases = 3

// phaseOnlySkip says whether s, in a later phase of an upgrade run, was skipped because the
// probe is verified in phase 1 only.
func phaseOnlySkip(s *reports.Spec) bool {
	return s.PhaseIndex > 1 && s.State == reports.StateSkipped &&
		(strings.Contains(s.Message, fixtures.IntermediateConfigSkip) || strings.Contains(s.Message, fixtures.MeshPolicySkip))
}

// checkUpgrade returns what an upgrade run's report lacks; a plain run's report has no
// istio-upgrade-to property and nothing to check here.
func checkUpgrade(su *reports.Suite, specs []*reports.Spec, out io.Writer) []string {
	from, to := su.Property("istio-version"), su.Property("istio-upgrade-to")
	if to == "" {
		return nil
	}
	var problems []string
	passed := make([]int, upgradePhases+1)
	proxies := make([]int, upgradePhases+1)
	for _, s := range specs {
		if s.PhaseIndex < 1 || s.PhaseIndex > upgradePhases {
			continue
		}
		if s.State == reports.StatePassed {
			passed[s.PhaseIndex]++
		}
		ps, unreadable := entry.ParseProxies(s.Proxies)
		for _, e := range unreadable {
			problems = append(problems, fmt.Sprintf("phase %d, %s: the proxies entry %q is not ROLE NS/POD: RELEASE, reports VERSION", s.PhaseIndex, s.Scenario, e))
		}
		for _, p := range ps {
			want := ""
			switch {
			case s.PhaseIndex == 2 && strings.HasSuffix(p.Role, " client"):
				want = from
			case s.PhaseIndex == 3:
				want = to
			}
			if want == "" {
				continue
			}
			proxies[s.PhaseIndex]++
			if !fixtures.SameRelease(p.Reported, want) {
				problems = append(problems, fmt.Sprintf("phase %d, %s: %s %s reports %q, want %s", s.PhaseIndex, s.Scenario, p.Role, p.Pod, p.Reported, want))
			}
		}
	}
	for n := 1; n <= upgradePhases; n++ {
		if passed[n] == 0 {
			problems = append(problems, fmt.Sprintf("phase %d of the upgrade %s → %s passed no probe", n, from, to))
		}
		if n > 1 && proxies[n] == 0 {
			problems = append(problems, fmt.Sprintf("phase %d of the upgrade recorded no proxy version to check (\"proxies\" entries)", n))
		}
		fmt.Fprintf(out, "upgrade %s → %s, phase %d: %d probes passed, %d proxy versions checked\n", from, to, n, passed[n], proxies[n])
	}
	return problems
}
