// Command egress is the suite's command line outside Ginkgo: list the catalog, render every
// scenario's manifests, check prerequisites before a run, and sweep a killed run's leftovers.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: egress <command>

  scenarios            list every registered scenario: id, labels, source
  manifests [DIR]      render every scenario's Istio config, one file per scenario and mode
                       (default DIR: $MANIFESTS_DIR or _out/manifests)
  preflight            check configuration, Docker and every image before anything is created
  images [list]        every pinned image, its setting and whether it is present locally
  images save FILE     all of them into one archive (for docker load on an air-gapped machine)
  images load [NAME]   load the in-cluster client image into a kind cluster (no registry)
  outside [-network N] run the hermetic outside world until Ctrl-C (removed on exit)
  cluster up           create the run's kind cluster as make e2e does, until Ctrl-C
  sweep [-run ID]      remove everything a killed run left: containers, networks, kind
                       clusters, namespaces and CoreDNS entries carrying the suite's marks
  lab-check REPORT     check a lab run's Ginkgo JSON report (make e2e-lab): nothing failed,
                       a live data plane was judged, every probe passed (but for the skips a
                       lab may have), and nothing of the run is left
  capture-fixtures ARTIFACTS DIR
                       refresh the parser test data in DIR from a lab run that kept its
                       cluster (make capture-fixtures)

Configuration: EGRESS_* environment variables or an EGRESS_CONFIG file (see README.md).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "scenarios":
		err = listScenarios(os.Stdout)
	case "manifests":
		dir := os.Getenv("MANIFESTS_DIR")
		if len(os.Args) > 2 {
			dir = os.Args[2]
		}
		if dir == "" {
			dir = "_out/manifests"
		}
		err = renderManifests(dir, os.Stdout)
	case "preflight":
		err = preflight(ctx, os.Stdout)
	case "images":
		err = imagesCmd(ctx, os.Args[2:], os.Stdout)
	case "cluster":
		err = clusterCmd(ctx, os.Args[2:], os.Stdout)
	case "outside":
		err = outsideCmd(ctx, os.Args[2:], os.Stdout)
	case "sweep":
		err = sweepCmd(ctx, os.Args[2:], os.Stdout)
	case "lab-check":
		if len(os.Args) != 3 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		err = labCheck(ctx, os.Args[2], os.Stdout, runLeftovers)
	case "capture-fixtures":
		if len(os.Args) != 4 {
			fmt.Fprint(os.Stderr, usage)
			os.Exit(2)
		}
		err = captureFixtures(ctx, os.Args[2], os.Args[3], os.Getenv("EGRESS_ISTIOCTL"), os.Stdout)
	default:
		fmt.Fprintf(os.Stderr, "egress: unknown command %q\n\n%s", os.Args[1], usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "egress %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
