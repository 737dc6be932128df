// Package mixedsuite generates reports/testdata/mixed.json (run from the repository root: go tool ginkgo --json-report=... ./suites/testdata/mixedsuite): real Ginkgo output with the
// egress suite's exact tree (one Ordered container per catalog scenario, one spec per
// probe, the same report entries) but scripted outcomes, because a real run needs a
// cluster. It lives under testdata so `go build/vet/test ./...` never see it, and under
// suites/ with the rest of the Ginkgo code. See reports/testdata/README.md for how to run it.
package mixedsuite

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

func TestMixed(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Istio egress conformance")
}

const artifacts = "_out/artifacts"

var cfg = func() config.Config {
	c := config.Default()
	c.RunID = "mixed-fixture"
	return c
}()

// Same entries as suites/egress/suite_test.go's BeforeSuite, from the real World.Properties.
var _ = BeforeSuite(func() {
	w := &fixtures.World{Cfg: cfg, Istio: version.MustParse(cfg.Istio.Version), DataPlane: true}
	for k, v := range w.Properties() {
		AddReportEntry(entry.PropertyName(k), v)
	}
	for _, t := range []fixtures.Timing{
		{Phase: "preflight", Took: 1200 * time.Millisecond},
		{Phase: "kind cluster " + cfg.Cluster.Name, Took: 47300 * time.Millisecond},
		{Phase: "Istio " + cfg.Istio.Version, Took: 98100 * time.Millisecond},
		{Phase: "outside world on the kind network", Took: 6400 * time.Millisecond},
		{Phase: "hermetic names in cluster DNS", Took: 2100 * time.Millisecond},
	} {
		AddReportEntry(entry.TimingName(t.Phase), t.Took.String())
	}
	// A teardown that fails, as a real one can (it is reported as a suite-level node).
	DeferCleanup(func() error {
		return errors.New("deleting kind cluster egress-conformance: context deadline exceeded")
	})
})

// outcome scripts what a probe does in this fixture; unlisted probes pass.
type outcome int

const (
	pass outcome = iota
	failConsistently
	timeout
	notChecked
)

var script = map[string]outcome{
	"registry-only-blocks-unknown-host/http-gets-502":                failConsistently,
	"virtual-service-timeout-504/3s-timeout-answers-504":             timeout,
	"external-https-proxy-tcp-entry/plain-pod-tunnels-through-squid": notChecked,
}

// beforeAllFails: opening the scenario fails (the first spec fails in BeforeAll, the
// others are skipped by Ginkgo). skipScenario: the scenario does not apply to the version.
var (
	beforeAllFails = "mtls-origination"
	skipScenario   = "wildcard-hosts"
)

var _ = func() bool {
	for _, sc := range scenarios.All() {
		sc := sc
		file, line := sc.Location()
		at := types.CodeLocation{FileName: file, LineNumber: line}
		labels := make([]string, len(sc.Labels))
		for i, l := range sc.Labels {
			labels[i] = string(l)
		}
		decorators := []any{Ordered, ContinueOnFailure, Label(labels...), at}
		if sc.HasLabel(scenarios.Serial) {
			decorators = append(decorators, Serial)
		}
		Describe(sc.Name, append(decorators, func() {
			BeforeAll(func() {
				AddReportEntry(string(entry.Scenario), sc.Name)
				AddReportEntry(string(entry.Source), sc.Source)
				AddReportEntry(string(entry.Summary), sc.Summary)
				if sc.Name == skipScenario {
					Skip("documented behaviour applies from Istio 1.32; this run installs " + cfg.Istio.Version)
				}
				if sc.Name == beforeAllFails {
					Expect(errors.New("creating namespace egr-mtls-origination-3f9a1c: admission webhook \"namespace.sidecar-injector.istio.io\" denied the request")).
						NotTo(HaveOccurred(), "opening the scenario's namespace and clients")
				}
			}, at)
			for _, p := range sc.Probes {
				p := p
				key := sc.Name + "/" + p.Name
				It(fmt.Sprintf("%s: %s", p.Name, p.Expect), func(ctx SpecContext) {
					attempt := 0
					try := func() error {
						attempt++
						code := 200
						if p.Expect.Negative {
							code = 502
						}
						if script[key] == failConsistently && attempt >= 2 {
							code = 200
						}
						path := filepath.Join(artifacts, "scenarios", sc.Name, p.Name, fmt.Sprintf("attempt-%d.json", attempt))
						a := entry.Attempt(fmt.Sprintf("attempt %d: HTTP %03d, curl exit 0, 0.%02ds; 2 sidecar and 0 gateway log lines, 0 squid lines", attempt, code, 10+attempt), path)
						AddReportEntry(a.Name, a.Value, ReportEntryVisibilityFailureOrVerbose)
						if p.Expect.Negative && code == 200 {
							return fmt.Errorf("HTTP status: want 502, got %d (sidecar log: cluster PassthroughCluster)", code)
						}
						return nil
					}
					switch script[key] {
					case failConsistently:
						Consistently(try).WithTimeout(60*time.Millisecond).WithPolling(20*time.Millisecond).Should(Succeed(),
							"the negative outcome must hold from the first attempt through the whole window")
					case timeout:
						Eventually(ctx, func() error {
							return errors.New("curl exit 28 (operation timed out) after 20s: want HTTP 504")
						}).WithPolling(20*time.Millisecond).Should(Succeed(), "3 consecutive passes within 2m0s")
					default:
						Expect(try()).To(Succeed())
						if script[key] == notChecked {
							AddReportEntry(string(entry.NotChecked), "destination saw TLS with SNI: not applicable: the destination is a public host in internet mode")
						}
					}
				}, at, NodeTimeout(300*time.Millisecond))
			}
		})...)
	}
	return true
}()
