package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/egressconformance/iec/harness/config"
)

// The exit codes, one per kind of outcome (listed for users in exitCodes and README.md).
const (
	ExitOK            = 0
	ExitNotConformant = 1
	ExitUsage         = 2
	ExitEnvironment   = 3
	ExitInterrupted   = 130
)

// usageError is a command line the command cannot run: exit 2 with its help.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usageErrorf(format string, a ...any) error { return usageError{fmt.Sprintf(format, a...)} }

func isUsage(err error) bool {
	var u usageError
	return errors.As(err, &u)
}

// notConformant is a run whose probes failed: exit 1.
type notConformant struct{ msg string }

func (e notConformant) Error() string { return e.msg }

// exitCode classifies err: a usage or configuration error 2, a failed probe (or, for
// releases -newer, pins behind Istio's releases) 1, an interruption 130, anything else
// (Docker, images, a cluster, Istio) 3.
func exitCode(ctx context.Context, err error) int {
	var nc notConformant
	var rb releasesBehind
	var ir interruptedRun
	var inv *config.InvalidError
	switch {
	case err == nil:
		return ExitOK
	case isUsage(err), errors.As(err, &inv):
		return ExitUsage
	case ctx.Err() != nil, errors.As(err, &ir):
		return ExitInterrupted
	case errors.As(err, &nc), errors.As(err, &rb):
		return ExitNotConformant
	}
	return ExitEnvironment
}

// parseFlags parses a command's flags; a bad flag or a stray argument is a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); err != nil {
		return usageErrorf("%v", err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected arguments %q", fs.Args())
	}
	return nil
}

// interruptedRun is a run that was interrupted (its report says so): exit 130.
type interruptedRun struct{ msg string }

func (e interruptedRun) Error() string { return e.msg }
