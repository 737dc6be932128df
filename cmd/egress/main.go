// Command egress is the suite's command line outside Ginkgo: list the catalog, render every
// scenario's manifests, check prerequisites before a run, judge a run's report and sweep a
// killed run's leftovers. `egress help` lists the commands; `egress help CMD` explains one.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// command is one subcommand: what `help` shows and what runs it. run gets the arguments
// after the command's name; a usageError from it exits 2 with the command's help.
type command struct {
	name, args, summary string
	// help is the long text of `egress help NAME` (flags are listed by the command).
	help string
	run  func(ctx context.Context, args []string, out io.Writer) error
}

func commands() []command {
	return []command{
		{"scenarios", "", "list every registered scenario: id, labels, source", "",
			noArgs(func(_ context.Context, w io.Writer) error { return listScenarios(w) })},
		{"manifests", "[DIR]", "render every scenario's Istio config, one file per scenario and mode",
			"DIR defaults to $MANIFESTS_DIR, else _out/manifests.", manifestsCmd},
		{"preflight", "[-config-only]", "check the configuration, Docker and every image before anything is created",
			"-config-only checks the settings alone (no Docker, nothing built): make e2e runs it first.", preflightCmd},
		{"images", "[list] | save FILE | load [CLUSTER]", "the pinned images: list them, save them into one archive, load the client image into kind",
			"save writes every image into FILE for `docker load` on an air-gapped machine; it refuses, naming them, when some are not present locally.", imagesCmd},
		{"outside", "[-network N]", "run the hermetic outside world until Ctrl-C (removed on exit)", "", outsideCmd},
		{"cluster", "up", "create the run's kind cluster as make e2e does, until Ctrl-C", "", clusterCmd},
		{"sweep", "[-run ID] [-dry-run] [-include-live]", "remove what runs that are gone left: containers, networks, kind clusters, namespaces, CoreDNS entries, leases",
			"A run holds a lease while it lives (EGRESS_LEASE_DIR); what a live run owns is kept and named, unless -include-live.\n-run ID: only that run's containers and networks. -dry-run: say what would be removed.", sweepCmd},
		{"verdict", "REPORT", "the verdict of a run's Ginkgo JSON report, as an exit code (see `egress help`)", "", verdictCmd},
		{"lab-check", "REPORT", "check a lab run's Ginkgo JSON report (make e2e-lab): nothing failed, a live data plane judged, nothing left", "",
			oneArg("REPORT", func(ctx context.Context, report string, w io.Writer) error {
				return labCheck(ctx, report, w, runLeftovers)
			})},
		{"releases", "[-newer FILE]", "the Istio releases the suite supports, or those newer than its pins", releasesHelp, releasesCmd},
		{"capture-fixtures", "ARTIFACTS DIR", "refresh the parser test data in DIR from a lab run that kept its cluster (make capture-fixtures)", "", captureCmd},
	}
}

const exitCodes = `Exit codes (every command; make e2e prints the run's, see README.md):
  0    passed / done
  1    not conformant: a probe failed (releases -newer: a release newer than the pins)
  2    bad usage or configuration (nothing was created)
  3    environment or setup failure (Docker, images, cluster, Istio, teardown)
  130  interrupted (Ctrl-C or SIGTERM)
`

func usage(w io.Writer) {
	fmt.Fprint(w, "usage: egress <command> [arguments]   (egress help <command> for one)\n\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %s %s\n      %s\n", c.name, c.args, c.summary)
	}
	fmt.Fprint(w, "\nConfiguration: EGRESS_* environment variables or an EGRESS_CONFIG file (docs/configuration.md).\n\n", exitCodes)
}

func commandHelp(w io.Writer, c command) {
	fmt.Fprintf(w, "usage: egress %s %s\n\n%s\n", c.name, c.args, c.summary)
	if c.help != "" {
		fmt.Fprintf(w, "\n%s\n", c.help)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is the whole command line, returning the exit code (exitcode.go).
func run(ctx context.Context, args []string, out, errw io.Writer) int {
	if len(args) == 0 {
		usage(errw)
		return ExitUsage
	}
	if isHelp(args[0]) {
		if len(args) > 1 {
			if c, ok := lookup(args[1]); ok {
				commandHelp(out, c)
				return ExitOK
			}
			fmt.Fprintf(errw, "egress help: unknown command %q\n\n", args[1])
			usage(errw)
			return ExitUsage
		}
		usage(out)
		return ExitOK
	}
	c, ok := lookup(args[0])
	if !ok {
		fmt.Fprintf(errw, "egress: unknown command %q\n\n", args[0])
		usage(errw)
		return ExitUsage
	}
	for _, a := range args[1:] {
		if isHelp(a) {
			commandHelp(out, c)
			return ExitOK
		}
	}
	err := c.run(ctx, args[1:], out)
	code := exitCode(ctx, err)
	if err != nil {
		fmt.Fprintf(errw, "egress %s: %v\n", c.name, err)
		if code == ExitUsage && isUsage(err) {
			fmt.Fprintln(errw)
			commandHelp(errw, c)
		}
	}
	return code
}

func isHelp(a string) bool { return a == "help" || a == "-h" || a == "-help" || a == "--help" }

func lookup(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

// noArgs runs f when no argument was given; anything else is a usage error.
func noArgs(f func(context.Context, io.Writer) error) func(context.Context, []string, io.Writer) error {
	return func(ctx context.Context, args []string, w io.Writer) error {
		if len(args) > 0 {
			return usageErrorf("takes no arguments, got %q", args)
		}
		return f(ctx, w)
	}
}

// oneArg runs f with the single argument named name.
func oneArg(name string, f func(context.Context, string, io.Writer) error) func(context.Context, []string, io.Writer) error {
	return func(ctx context.Context, args []string, w io.Writer) error {
		if len(args) != 1 || len(args[0]) > 0 && args[0][0] == '-' {
			return usageErrorf("needs exactly one %s, got %q", name, args)
		}
		return f(ctx, args[0], w)
	}
}

func manifestsCmd(_ context.Context, args []string, w io.Writer) error {
	dir := os.Getenv("MANIFESTS_DIR")
	switch {
	case len(args) == 1 && args[0] != "" && args[0][0] != '-':
		dir = args[0]
	case len(args) > 0:
		return usageErrorf("takes at most one DIR, got %q", args)
	}
	if dir == "" {
		dir = "_out/manifests"
	}
	return renderManifests(dir, w)
}

func captureCmd(ctx context.Context, args []string, w io.Writer) error {
	if len(args) != 2 {
		return usageErrorf("needs ARTIFACTS and DIR, got %q", args)
	}
	return captureFixtures(ctx, args[0], args[1], os.Getenv("EGRESS_ISTIOCTL"), w)
}
