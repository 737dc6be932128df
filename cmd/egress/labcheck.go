package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/reports"
	"github.com/egressconformance/iec/scenarios"
)

// labCheck reads the Ginkgo JSON report of a control-plane-only run (make e2e-lab) and
// checks what such a run may claim: nothing failed, every probe that needs Envoy (a sidecar,
// a gateway, Envoy's logs or stats) is skipped with fixtures.DataPlaneMissing and none of
// them passed, and the probes from uninjected pods ran. Then that nothing of the run remains
// (left lists it): the run created its cluster, so its teardown deleted it, and its
// containers and networks are gone.
func labCheck(ctx context.Context, path string, out io.Writer, left func(ctx context.Context, runID, clusterName string) ([]string, error)) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("reading the Ginkgo report %s (run make e2e-lab first): %w", path, err)
	}
	r, err := reports.Load(b)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	lab := &fixtures.World{DataPlane: false}
	var problems []string
	counts := map[string]int{}
	otherSkips := map[string]int{}
	seen := 0
	var specs []*reports.Spec
	for _, su := range r.Suites {
		if !su.Succeeded {
			problems = append(problems, fmt.Sprintf("suite %q did not succeed %v", su.Description, su.FailureReasons))
		}
		specs = append(append(specs, su.SuiteNodes...), su.Specs...)
	}
	for _, s := range specs {
		switch s.State {
		case reports.StatePassed, reports.StateSkipped:
		default:
			problems = append(problems, fmt.Sprintf("%s %q %s: %s", s.NodeType, s.Scenario+" "+s.Probe, s.State, firstLine(s.Message)))
			continue
		}
		if s.Scenario == "" || s.Probe == "" {
			continue
		}
		sc, ok := scenarios.Get(s.Scenario)
		if !ok {
			problems = append(problems, fmt.Sprintf("scenario %q of the report is not in this build's catalog", s.Scenario))
			continue
		}
		var probe *scenarios.Probe
		for i := range sc.Probes {
			if sc.Probes[i].Name == s.Probe {
				probe = &sc.Probes[i]
			}
		}
		if probe == nil {
			problems = append(problems, fmt.Sprintf("probe %q of scenario %s is not in this build's catalog", s.Probe, s.Scenario))
			continue
		}
		seen++
		needsEnvoy := sc.Requires.Gateway || probe.SkipReason(lab) == fixtures.DataPlaneMissing
		switch {
		case needsEnvoy && s.State == reports.StatePassed:
			problems = append(problems, fmt.Sprintf("%s / %s needs Envoy but is reported passed", s.Scenario, s.Probe))
		case needsEnvoy && !strings.Contains(s.Message, fixtures.DataPlaneMissing):
			problems = append(problems, fmt.Sprintf("%s / %s needs Envoy but is skipped for another reason: %s", s.Scenario, s.Probe, firstLine(s.Message)))
		case needsEnvoy:
			counts["skipped: no Envoy data plane"]++
		case s.State == reports.StatePassed:
			counts["passed for real (uninjected client)"]++
		default:
			counts["skipped for another reason"]++
			otherSkips[firstLine(s.Message)]++
		}
	}
	if seen == 0 {
		problems = append(problems, "the report holds no scenario probe at all")
	}
	for _, su := range r.Suites {
		runID, name := su.Property("run-id"), su.Property("cluster")
		if runID == "" || name == "" {
			problems = append(problems, fmt.Sprintf("suite %q records no run-id or cluster property: it cannot be checked for leftovers", su.Description))
			continue
		}
		remain, err := left(ctx, runID, name)
		if err != nil {
			return fmt.Errorf("looking for what run %s left: %w", runID, err)
		}
		for _, l := range remain {
			problems = append(problems, fmt.Sprintf("run %s left %s behind", runID, l))
		}
		fmt.Fprintf(out, "run %s, cluster %s: nothing left (%d leftovers)\n", runID, name, len(remain))
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(out, "lab run %s: %d probes\n", path, seen)
	for _, k := range keys {
		fmt.Fprintf(out, "  %-40s %d\n", k, counts[k])
	}
	for reason, n := range otherSkips {
		fmt.Fprintf(out, "    %d × %s\n", n, reason)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the lab run's report does not hold:\n  %s", strings.Join(problems, "\n  "))
	}
	return nil
}

// runLeftovers lists the kind cluster named clusterName, if it still exists, and the
// containers and networks labelled with runID.
func runLeftovers(ctx context.Context, runID, clusterName string) ([]string, error) {
	var out []string
	names, err := cluster.List(ctx)
	if err != nil {
		return nil, err
	}
	if slices.Contains(names, clusterName) {
		out = append(out, "kind-cluster/"+clusterName)
	}
	cs, nets, err := dockerx.ListByLabel(ctx, container.RunLabel, runID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out = append(out, "container/"+c)
	}
	for _, n := range nets {
		out = append(out, "network/"+n)
	}
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
