package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/fixtures/outside"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/pki"
)

// OutsideReady is printed once the outside world is up (tests and scripts wait for it).
const OutsideReady = "outside world ready"

// outsideCmd runs the hermetic outside world on a Docker network until interrupted: for
// poking at the fixtures by hand, and for the interrupt and sweep tests. Ctrl-C or SIGTERM,
// at any moment (also while containers are still starting), removes what it created.
func outsideCmd(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("outside", flag.ContinueOnError)
	network := fs.String("network", fixtures.KindNetwork, "Docker network to join (must exist)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := config.FromEnv()
	if err != nil {
		return err
	}
	release, err := fixtures.Claim(cfg, "", "", func(string, ...any) {})
	if err != nil {
		return err
	}
	defer release(ctx)
	disabled, why := container.ChooseReaper(ctx, dockerx.ImagePresent)
	fmt.Fprintf(w, "run %s: testcontainers reaper disabled=%v (%s)\n", cfg.RunID, disabled, why)
	ca, err := pki.NewCA("egress-conformance run "+cfg.RunID, 24*time.Hour)
	if err != nil {
		return err
	}
	names := fixtures.NamesFor(config.Hermetic)
	world, err := outside.Start(ctx, outside.Options{
		Network: *network, RunID: cfg.RunID, CA: ca, EchoImage: cfg.Image("echo"), SquidImage: cfg.Image("squid"),
		HTTPNames: []string{names.HTTPHost}, TLSNames: names.TLSNames(), Startup: cfg.Intervals.Setup,
	})
	if err != nil {
		if errors.Is(ctx.Err(), context.Canceled) {
			return fmt.Errorf("interrupted while starting; removed what had started: %w", err)
		}
		return err
	}
	fmt.Fprintf(w, "%s: httpbin %s, secure %s, squid %s (run %s)\n", OutsideReady, world.HTTPBin.IP, world.Secure.IP, world.Squid.Addr(), cfg.RunID)
	<-ctx.Done()
	fmt.Fprintln(w, "interrupted: removing the outside world")
	return world.Stop(context.WithoutCancel(ctx))
}
