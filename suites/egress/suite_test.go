//go:build e2e

// Package egress is the Ginkgo entry point of the conformance suite: it sets the world up
// once (cluster, Istio, outside world), turns every registered scenario into an ordered
// container with one spec per probe, and tears everything down, also after Ctrl-C. With
// istio.upgradeTo set it is an upgrade gate instead: the same containers in three phases
// around an in-place control-plane upgrade. The tree itself is package suites/tree's; this
// package gives it the live world (tree.Live).
package egress

import (
	"context"
	"flag"
	"fmt"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/scenarios"
	"github.com/egressconformance/iec/suites/tree"
)

var (
	loader   = config.NewLoader(flag.CommandLine)
	cfg      config.Config
	world    *fixtures.World
	teardown func(context.Context) error

	// loaded and loadErr are the configuration as TestEgressConformance read it, once the
	// flags were parsed and before the tree is built (an upgrade run has a tree of its own);
	// the setup (setUpWorld, attachToWorld) makes it cfg, or fails with loadErr.
	loaded  config.Config
	loadErr error
)

func TestEgressConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	suiteCfg, reporterCfg := GinkgoConfiguration()
	suiteCfg.Timeout = 2 * time.Hour
	loaded, loadErr = loader.LoadEnviron(os.Environ())
	switch {
	case loadErr == nil && loaded.Upgrading():
		if suiteCfg.ParallelTotal > 1 {
			t.Fatalf("an upgrade run (EGRESS_ISTIO_UPGRADE_TO=%s) goes through its phases in order on one cluster: run it without -p/--procs", loaded.Istio.UpgradeTo)
		}
		suiteCfg.Timeout = tree.UpgradeSuiteTimeout
		up = tree.Upgrade(loaded, treeOptions())
	case loadErr != nil && suiteCfg.DryRun && upgradeRequested():
		t.Fatalf("the upgrade run's tree cannot be listed: %v", loadErr)
	default:
		if loadErr != nil && suiteCfg.DryRun {
			fmt.Fprintf(os.Stderr, "egress: the configuration does not load, so this dry run lists the plain tree (a real run fails in its setup):\n%v\n", loadErr)
		}
		tree.Plain(treeOptions())
	}
	RunSpecs(t, "Istio egress conformance", suiteCfg, reporterCfg)
}

// up is the upgrade run's shared state (nil in a plain run).
var up *tree.UpgradeRun

// treeOptions give the tree the run's configuration and world once the setup (setUpWorld,
// attachToWorld) has them; spec texts use the loaded configuration's mode (hermetic when
// it does not load: such a run fails in its setup).
func treeOptions() tree.Options {
	mode := config.Hermetic
	if loadErr == nil && loaded.Mode != "" {
		mode = loaded.Mode
	}
	return tree.Options{
		Mode:        mode,
		ProbeBudget: tree.DefaultProbeBudget,
		Config:      func() config.Config { return cfg },
		World:       func() tree.World { return tree.Live(world) },
	}
}

// The world is set up once, by Ginkgo process 1, and handed to the others when the suite runs
// in parallel (-procs, PROCS in the Makefile): they attach to it (fixtures.Attach) and run
// scenarios in it; process 1 tears it down after every process finished (Ginkgo runs
// cleanups registered here then), and runs the Serial scenarios alone at the end.
var _ = SynchronizedBeforeSuite(setUpWorld, attachToWorld, NodeTimeout(30*time.Minute))

// setUpWorld is process 1's part: build the world and hand it off.
func setUpWorld(ctx SpecContext) []byte {
	var err error
	cfg, err = loaded, loadErr
	Expect(err).NotTo(HaveOccurred(), "configuration")
	what := "Istio " + cfg.Istio.Version
	if cfg.Upgrading() {
		what += " (upgraded in place to " + cfg.Istio.UpgradeTo + " after phase 1)"
	}
	By("setting up the world: " + cfg.Cluster.Name + ", " + what + ", mode " + string(cfg.Mode))
	world, teardown, err = fixtures.Setup(ctx, cfg, func(format string, a ...any) { GinkgoWriter.Printf(format+"\n", a...) })
	if teardown != nil {
		// Registered before the error check: a half-built world is removed too.
		DeferCleanup(func(ctx SpecContext) {
			Expect(teardown(ctx)).To(Succeed(), "teardown")
		}, NodeTimeout(cfg.Intervals.Setup))
	}
	if up != nil {
		// An upgrade run keeps the scenarios' sessions across its phases; registered after the
		// teardown, so they are closed (and checked for leftovers) before it.
		DeferCleanup(up.CloseSessions, NodeTimeout(30*time.Minute))
	}
	if world != nil {
		// Recorded before the verdict, so a failed setup still reports how far it got.
		tree.RecordWorld(world.Properties(), world.Timings)
	}
	Expect(err).NotTo(HaveOccurred(), "setup")
	checkNetworkPolicyAhead()
	if suiteCfg, _ := GinkgoConfiguration(); suiteCfg.ParallelTotal == 1 {
		return nil
	}
	data, err := world.Handoff()
	Expect(err).NotTo(HaveOccurred(), "handing the world to the other Ginkgo processes")
	return data
}

// attachToWorld is every process's part: the processes other than 1 attach to the world it
// handed off; the run id, and so every probe id and label, is process 1's.
func attachToWorld(data []byte) {
	if GinkgoParallelProcess() == 1 {
		return
	}
	Expect(loadErr).NotTo(HaveOccurred(), "configuration")
	var err error
	world, err = fixtures.Attach(loaded, data)
	Expect(err).NotTo(HaveOccurred(), "attaching to the world Ginkgo process 1 set up")
	cfg = world.Cfg
	By(fmt.Sprintf("Ginkgo process %d attached to %s", GinkgoParallelProcess(), world))
}

// checkNetworkPolicyAhead starts the run's NetworkPolicy check in the background when a
// scenario needs its answer (fixtures.World.CheckNetworkPolicyAhead); it stops before the
// teardown.
func checkNetworkPolicyAhead() {
	for _, sc := range scenarios.All() {
		if sc.Requires.NetworkPolicy && world.Outside != nil {
			ctx, cancel := context.WithCancel(context.Background())
			DeferCleanup(cancel)
			world.CheckNetworkPolicyAhead(ctx)
			return
		}
	}
}

// upgradeRequested says whether the environment or a flag asks for an upgrade run, for when
// the configuration does not load.
func upgradeRequested() bool {
	if os.Getenv("EGRESS_ISTIO_UPGRADE_TO") != "" {
		return true
	}
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "egress.istio.upgradeTo" })
	return set
}
