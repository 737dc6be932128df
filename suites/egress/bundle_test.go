//go:build e2e

package egress

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/bundle"
	"github.com/egressconformance/iec/harness/artifacts"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
	"github.com/egressconformance/iec/suites/tree"
)

// Failure bundles (package bundle), under <artifacts>/bundles/ (a probe attempt's evidence
// is elsewhere: suites/tree/evidence.go):
//
//   - a failed spec: <scenario>/<probe>/, collected by the top-level AfterEach below, which
//     runs before the scenario's DeferCleanup closes its session, so the namespace, its pods
//     and their proxies are still there;
//   - a failed setup: _setup/ (istio-system, kube-system, the egress gateway, the outside
//     world). The setup node's only successors before its teardown are AfterSuite (which an
//     upgrade run owns, and Ginkgo allows one) and cleanups, so the hook is Gomega's fail
//     handler instead: ReportBeforeSuite (process 1, which sets up) wraps Ginkgo's Fail,
//     and a failure raised in the setup collects the bundle first, while the half-built
//     world still exists.
//
// The spec's report gets an entry.Bundle entry with the folder, or an entry.BundleSkipped
// entry saying why there is none.

const (
	bundleTimeout = 5 * time.Minute
)

var _ = AfterEach(func(ctx SpecContext) {
	r := CurrentSpecReport()
	if !r.Failed() {
		return
	}
	if r.State.Is(types.SpecStateInterrupted | types.SpecStateAborted) {
		tree.Record(entry.New(entry.BundleSkipped, "the run was "+r.State.String()+": no failure bundle"), ReportEntryVisibilityFailureOrVerbose)
		return
	}
	leaf := r.LeafNodeText
	if r.Failure.FailureNodeType == types.NodeTypeBeforeAll {
		leaf = "" // the scenario's set-up failed, not the probe: <scenario>/_scenario
	}
	scenario, probe := bundleScope(r.ContainerHierarchyTexts, leaf)
	collectBundle(ctx, bundle.Scope{Scenario: scenario, Probe: probe, Failure: r.Failure.Message})
}, NodeTimeout(bundleTimeout))

var _ = ReportBeforeSuite(func(Report) {
	RegisterFailHandler(failWithSetupEvidence)
})

var setupBundle sync.Once

// failWithSetupEvidence is Ginkgo's Fail; a failure in the setup first collects the
// setup bundle (once; not when setup was interrupted or timed out).
func failWithSetupEvidence(message string, callerSkip ...int) {
	skip := 0
	if len(callerSkip) > 0 {
		skip = callerSkip[0]
	}
	if CurrentSpecReport().LeafNodeType.Is(types.NodeTypeBeforeSuite | types.NodeTypeSynchronizedBeforeSuite) {
		setupBundle.Do(func() { collectSetupBundle(message) })
	}
	Fail(message, skip+1)
}

func collectSetupBundle(message string) {
	defer func() {
		if p := recover(); p != nil {
			GinkgoWriter.Printf("failure bundle of the failed setup: %v\n", p)
		}
	}()
	if strings.Contains(message, context.Canceled.Error()) {
		tree.Record(entry.New(entry.BundleSkipped, "setup was interrupted or timed out: no failure bundle"), ReportEntryVisibilityFailureOrVerbose)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), bundleTimeout)
	defer cancel()
	collectBundle(ctx, bundle.Scope{Failure: message})
}

// bundleScope is the scenario and probe of a spec: the container named after a registered
// scenario (else the top one), and the spec text up to its first ':' (no text:
// bundle.ScenarioFolder). Containers above the scenario (an upgrade phase) are appended to
// the probe, so phases do not share a folder.
func bundleScope(containers []string, leaf string) (scenario, probe string) {
	probe, _, _ = strings.Cut(leaf, ":")
	if probe = strings.TrimSpace(probe); probe == "" {
		probe = bundle.ScenarioFolder
	}
	if len(containers) == 0 {
		return "", probe
	}
	scenario = containers[0]
	for i, c := range containers {
		if _, ok := scenarios.Get(c); ok {
			scenario = c
			for _, above := range containers[:i] {
				head, _, _ := strings.Cut(above, ":")
				probe += "-" + strings.ReplaceAll(strings.TrimSpace(head), " ", "-")
			}
			break
		}
	}
	return scenario, probe
}

// collectBundle writes a bundle under <artifacts>/evidence and reports where, or why not.
func collectBundle(ctx context.Context, scope bundle.Scope) {
	vis := ReportEntryVisibilityFailureOrVerbose
	if world == nil {
		tree.Record(entry.New(entry.BundleSkipped, "there is no world (setup failed before the cluster existed): nothing to collect"), vis)
		return
	}
	dir, err := filepath.Abs(filepath.Join(cfg.ArtifactsDir, artifacts.Bundles))
	if err != nil {
		tree.Record(entry.New(entry.BundleSkipped, fmt.Sprintf("the bundles folder under %q: %v", cfg.ArtifactsDir, err)), vis)
		return
	}
	// The cap is the run's, across its parallel processes.
	if ok, err := bundle.Claim(dir, cfg.BundleMaxCount); err != nil || !ok {
		why := fmt.Sprintf("the run's cap of %d failure bundles is reached (bundleMaxCount, EGRESS_BUNDLE_MAX_COUNT)", cfg.BundleMaxCount)
		if err != nil {
			why = err.Error()
		}
		tree.Record(entry.New(entry.BundleSkipped, why), vis)
		return
	}
	idx, err := bundle.Collect(ctx, world, scope, dir, bundle.DefaultCaps(cfg.BundleMaxBytes))
	if err != nil {
		tree.Record(entry.New(entry.BundleSkipped, err.Error()), vis)
		return
	}
	GinkgoWriter.Printf("failure bundle %s: %d files, %d bytes, %d skipped, %d errors (see its README.txt)\n",
		idx.Dir, len(idx.Files), idx.TotalBytes, len(idx.Skipped), len(idx.Errors))
	tree.Record(entry.New(entry.Bundle, idx.Dir), vis)
}

// TestBundleScope is a plain Go test (go test -tags e2e -run TestBundleScope ./suites/egress
// runs it without the suite).
func TestBundleScope(t *testing.T) {
	sc := scenarios.All()[0].Name
	for _, c := range []struct {
		containers      []string
		leaf            string
		scenario, probe string
	}{
		{[]string{sc}, "plain-200: HTTP 200 from the sidecar", sc, "plain-200"},
		{[]string{"phase 2: control plane 1.31.1, sidecars 1.30.0", sc}, "plain-200: HTTP 200", sc, "plain-200-phase-2"},
		{[]string{sc}, "", sc, bundle.ScenarioFolder},
		{[]string{"not-a-scenario", "inner"}, "p: x", "not-a-scenario", "p"},
		{nil, "p: x", "", "p"},
	} {
		s, p := bundleScope(c.containers, c.leaf)
		if s != c.scenario || p != c.probe {
			t.Errorf("bundleScope(%q, %q) = %q, %q; want %q, %q", c.containers, c.leaf, s, p, c.scenario, c.probe)
		}
	}
}
