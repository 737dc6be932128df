package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/artifacts"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/config"
)

// preflightCmd checks everything `make e2e` needs before it creates anything; with
// -config-only, the settings alone (no Docker, no images: what make e2e checks before it
// builds anything).
func preflightCmd(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("preflight", flag.ContinueOnError)
	configOnly := fs.Bool("config-only", false, "check the settings only")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	// make e2e runs this first, so a former setting name is reported where the user looks.
	for _, d := range cfg.Deprecated {
		fmt.Fprintf(w, "preflight: warning: %s\n", d)
	}
	if *configOnly {
		fmt.Fprintf(w, "preflight: configuration ok (run %s, Istio %s, cluster %s)\n", cfg.RunID, cfg.Istio.Version, cfg.Cluster.Name)
		return nil
	}
	log := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	istio := cfg.Istio.Version
	if cfg.Upgrading() {
		istio += " → " + cfg.Istio.UpgradeTo + " (in-place upgrade)"
	}
	log("preflight: run %s, mode %s, Istio %s, cluster %s", cfg.RunID, cfg.Mode, istio, cfg.Cluster.Name)
	if err := fixtures.Preflight(ctx, cfg, log); err != nil {
		return err
	}
	spec, err := fixtures.ClusterSpec(cfg)
	if err != nil {
		return err
	}
	if err := cluster.Preflight(ctx, spec); err != nil {
		return err
	}
	if err := fixtures.ArtifactsFree(cfg.LeaseDir, cfg.ArtifactsDir); err != nil {
		return err
	}
	removed, err := artifacts.Prepare(cfg.ArtifactsDir)
	if err != nil {
		return err
	}
	if len(removed) > 0 {
		log("preflight: cleared an earlier run's %v from %s", removed, cfg.ArtifactsDir)
	}
	log("preflight: ok")
	return nil
}
