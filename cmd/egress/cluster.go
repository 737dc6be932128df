package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/cluster"
	"github.com/egressconformance/iec/harness/config"
)

// ClusterReady is printed once `egress cluster up` has a usable cluster.
const ClusterReady = "cluster ready"

// clusterCmd: `up` creates (or reuses) the run's kind cluster through the harness, the same
// way `make e2e` does, and keeps it until Ctrl-C/SIGTERM, then deletes it (unless
// EGRESS_CLUSTER_KEEP=true). For poking at a cluster by hand, and for the sweep test.
func clusterCmd(ctx context.Context, args []string, w io.Writer) error {
	if len(args) != 1 || args[0] != "up" {
		return usageErrorf("the only subcommand is up, got %q", args)
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	log := func(format string, a ...any) { fmt.Fprintf(w, format+"\n", a...) }
	release, err := fixtures.Claim(cfg, cfg.Cluster.Name, "", log)
	if err != nil {
		return err
	}
	defer release(ctx)
	spec, err := fixtures.ClusterSpec(cfg)
	if err != nil {
		return err
	}
	spec.Log = w
	dir, err := os.MkdirTemp("", "egress-cluster-")
	if err != nil {
		return err
	}
	cl, err := cluster.Ensure(ctx, spec, dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "%s: %s (kubeconfig %s)\n", ClusterReady, cl.Name, cl.KubeconfigPath)
	<-ctx.Done()
	if cfg.Cluster.Keep || !cl.Created {
		return nil
	}
	fmt.Fprintln(w, "interrupted: deleting the cluster")
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	return cluster.Delete(dctx, cl.Name)
}
