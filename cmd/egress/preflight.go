package main

import (
	"context"
	"fmt"
	"io"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/config"
)

// preflight checks everything `make e2e` needs before it creates anything.
func preflight(ctx context.Context, w io.Writer) error {
	cfg, err := config.FromEnv()
	if err != nil {
		return err
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
	log("preflight: ok")
	return nil
}
