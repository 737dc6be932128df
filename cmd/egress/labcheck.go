package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"sort"
	"strings"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/reports"
	"github.com/egressconformance/iec/scenarios"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// labCheck reads the Ginkgo JSON report of a lab run (make e2e-lab: the offline lab's istiod
// and its proxy image, upstream Envoy) and checks what such a run must show: nothing failed,
// the run judged a live data plane (its "proxy" property names the Envoy the egress gateway
// reported), and every probe of every scenario passed, but for the skips a lab may have: a
// CNI that does not enforce NetworkPolicy (for the scenarios that need one) and the probes
// listed in scenarios.UpstreamEnvoyGaps (what only Istio's own proxy can do). A probe skipped
// for want of a data plane is a failure here. Then that nothing of the run remains (left
// lists it): its containers and networks are gone, and either its cluster (one it created and
// was not asked to keep, so its teardown deleted it) or, in a cluster it reused or kept, its
// namespaces and CoreDNS names. An upgrade run's report is checked for its phases too
// (checkUpgrade).
func labCheck(ctx context.Context, path string, out io.Writer, left leftoversFunc) error {
	r, err := reports.LoadFile(path)
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("reading the Ginkgo report %s (run make e2e-lab first): %w", path, pe)
	} else if err != nil {
		return err
	}
	var problems []string
	counts := map[string]int{}
	otherSkips := map[string]int{}
	seen := 0
	var specs []*reports.Spec
	for _, su := range r.Suites {
		if !su.Succeeded {
			problems = append(problems, fmt.Sprintf("suite %q did not succeed %v", su.Description, su.FailureReasons))
		}
		if su.Property("data-plane") != "true" || !strings.Contains(su.Property("proxy"), "Envoy") {
			problems = append(problems, fmt.Sprintf("suite %q judged no live data plane (data-plane=%q, proxy=%q): make e2e-lab installs the lab proxy image (EGRESS_ISTIO_UPSTREAM_ENVOY=true)",
				su.Description, su.Property("data-plane"), su.Property("proxy")))
		}
		specs = append(append(specs, su.SuiteNodes...), su.Specs...)
		problems = append(problems, checkUpgrade(su, append(append([]*reports.Spec{}, su.SuiteNodes...), su.Specs...), out)...)
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
		gap, isGap := scenarios.UpstreamEnvoyGapOf(sc.Name, probe.Name)
		switch {
		case s.State == reports.StatePassed && isGap:
			problems = append(problems, fmt.Sprintf("%s / %s passed, but scenarios.UpstreamEnvoyGaps says it cannot work on upstream Envoy: drop it from that list", s.Scenario, s.Probe))
		case s.State == reports.StatePassed:
			counts["passed on live proxies"]++
		case strings.Contains(s.Message, fixtures.DataPlaneMissing):
			problems = append(problems, fmt.Sprintf("%s / %s was skipped for want of a data plane: %s", s.Scenario, s.Probe, firstLine(s.Message)))
		case phaseOnlySkip(s):
			counts["skipped in phases 2-3: verified in phase 1 only"]++
		case isGap && strings.Contains(s.Message, gap.SkipReason()):
			counts["skipped: needs Istio's own proxy (scenarios.UpstreamEnvoyGaps)"]++
		case sc.Requires.NetworkPolicy:
			counts["skipped: the CNI does not enforce NetworkPolicy"]++
			otherSkips[firstLine(s.Message)]++
		default:
			problems = append(problems, fmt.Sprintf("%s / %s was skipped: %s", s.Scenario, s.Probe, firstLine(s.Message)))
		}
	}
	if seen == 0 {
		problems = append(problems, "the report holds no scenario probe at all")
	}
	for _, su := range r.Suites {
		runID, name, created, kept := su.Property("run-id"), su.Property("cluster"), su.Property("cluster-created"), su.Property("cluster-kept")
		if runID == "" || name == "" || created == "" || kept == "" {
			problems = append(problems, fmt.Sprintf("suite %q records no run-id, cluster, cluster-created or cluster-kept property: it cannot be checked for leftovers", su.Description))
			continue
		}
		deletes := created == "true" && kept != "true"
		remain, err := left(ctx, runID, name, deletes)
		if err != nil {
			return fmt.Errorf("looking for what run %s left: %w", runID, err)
		}
		for _, l := range remain {
			problems = append(problems, fmt.Sprintf("run %s left %s behind", runID, l))
		}
		how := "created and deleted by the run"
		if !deletes {
			how = "reused or kept: left in place, without the run's namespaces and CoreDNS names"
		}
		fmt.Fprintf(out, "run %s, cluster %s (%s): %d leftovers\n", runID, name, how, len(remain))
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

// leftoversFunc lists what run runID left: deletesCluster says whether its teardown was to
// delete the kind cluster clusterName (it created it and was not asked to keep it).
type leftoversFunc func(ctx context.Context, runID, clusterName string, deletesCluster bool) ([]string, error)

// runLeftovers lists the containers and networks labelled with runID, and the kind cluster
// if the run was to delete it and it still exists. For a cluster the run was to leave in
// place: the cluster if it is gone, else what of the run remains inside it (namespaces with
// the run label, the run's CoreDNS hosts block).
func runLeftovers(ctx context.Context, runID, clusterName string, deletesCluster bool) ([]string, error) {
	var out []string
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
	names, err := cluster.List(ctx)
	if err != nil {
		return nil, err
	}
	exists := slices.Contains(names, clusterName)
	switch {
	case deletesCluster && exists:
		out = append(out, "kind-cluster/"+clusterName)
	case !deletesCluster && !exists:
		out = append(out, "nothing of kind-cluster/"+clusterName+": the run was to leave that cluster in place, and it is gone")
	case !deletesCluster:
		k, done, err := fixtures.ClusterClient(clusterName)
		if err != nil {
			return nil, err
		}
		defer done()
		nss, err := k.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: container.RunLabel + "=" + runID})
		if err != nil {
			return nil, fmt.Errorf("listing the run's namespaces in kind cluster %s: %w", clusterName, err)
		}
		for _, ns := range nss.Items {
			out = append(out, clusterName+"/namespace/"+ns.Name)
		}
		has, err := fixtures.CoreDNSHasHosts(ctx, k, runID)
		if err != nil {
			return nil, fmt.Errorf("kind cluster %s: %w", clusterName, err)
		}
		if has {
			out = append(out, clusterName+"/coredns hosts block of run "+runID)
		}
	}
	return out, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}
