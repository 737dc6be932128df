//go:build e2e

// Package egress is the Ginkgo entry point of the conformance suite: it sets the world up
// once (cluster, Istio, outside world), turns every registered scenario into an ordered
// container with one spec per probe, and tears everything down, also after Ctrl-C.
package egress

import (
	"context"
	"flag"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
)

var (
	loader   = config.NewLoader(flag.CommandLine)
	cfg      config.Config
	world    *fixtures.World
	teardown func(context.Context) error
)

func TestEgressConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	suiteCfg, reporterCfg := GinkgoConfiguration()
	suiteCfg.Timeout = 2 * time.Hour
	RunSpecs(t, "Istio egress conformance", suiteCfg, reporterCfg)
}

var _ = BeforeSuite(func(ctx SpecContext) {
	var err error
	cfg, err = loader.Load(os.Getenv)
	Expect(err).NotTo(HaveOccurred(), "configuration")
	By("setting up the world: " + cfg.Cluster.Name + ", Istio " + cfg.Istio.Version + ", mode " + string(cfg.Mode))
	world, teardown, err = fixtures.Setup(ctx, cfg, func(format string, a ...any) { GinkgoWriter.Printf(format+"\n", a...) })
	if teardown != nil {
		// Registered before the error check: a half-built world is removed too.
		DeferCleanup(func(ctx SpecContext) {
			Expect(teardown(ctx)).To(Succeed(), "teardown")
		}, NodeTimeout(cfg.Intervals.Setup))
	}
	if world != nil {
		// Recorded before the verdict, so a failed setup still reports how far it got.
		for k, v := range world.Properties() {
			AddReportEntry("property:"+k, v)
		}
		for _, t := range world.Timings {
			AddReportEntry("timing:"+t.Phase, t.Took.String())
		}
	}
	Expect(err).NotTo(HaveOccurred(), "setup")
}, NodeTimeout(30*time.Minute))
