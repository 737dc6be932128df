package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Help is asked for in every usual way and answered on stdout with exit 0; a wrong command
// line exits 2 with the help of what was meant.
func TestHelpAndUsage(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		code     int
		out, err string
	}{
		{[]string{"help"}, ExitOK, "usage: egress <command>", ""},
		{[]string{"-h"}, ExitOK, "usage: egress <command>", ""},
		{[]string{"--help"}, ExitOK, "130  interrupted", ""},
		{[]string{"help", "sweep"}, ExitOK, "usage: egress sweep [-run ID]", ""},
		{[]string{"sweep", "--help"}, ExitOK, "usage: egress sweep", ""},
		{[]string{"images", "-h"}, ExitOK, "usage: egress images", ""},
		{nil, ExitUsage, "", "usage: egress <command>"},
		{[]string{"scan"}, ExitUsage, "", `unknown command "scan"`},
		{[]string{"help", "scan"}, ExitUsage, "", `unknown command "scan"`},
		{[]string{"sweep", "-runid", "x"}, ExitUsage, "", "flag provided but not defined: -runid"},
		{[]string{"scenarios", "all"}, ExitUsage, "", `takes no arguments, got ["all"]`},
		{[]string{"lab-check"}, ExitUsage, "", "needs exactly one REPORT"},
		{[]string{"verdict", "a", "b"}, ExitUsage, "", "needs exactly one REPORT"},
		{[]string{"images", "save"}, ExitUsage, "", "images save takes 1 to 1 arguments"},
		{[]string{"images", "push"}, ExitUsage, "", `unknown images command "push"`},
		{[]string{"cluster", "down"}, ExitUsage, "", "the only subcommand is up"},
		{[]string{"capture-fixtures", "x"}, ExitUsage, "", "needs ARTIFACTS and DIR"},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			var out, errw bytes.Buffer
			code := run(context.Background(), tc.args, &out, &errw)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out.String(), errw.String())
			}
			if tc.out != "" && !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout lacks %q:\n%s", tc.out, out.String())
			}
			if tc.err != "" && !strings.Contains(errw.String(), tc.err) {
				t.Errorf("stderr lacks %q:\n%s", tc.err, errw.String())
			}
		})
	}
}

// The verdict of recorded runs: each outcome has its own exit code.
func TestVerdictExitCodes(t *testing.T) {
	mixed, err := os.ReadFile("../../reports/testdata/mixed.json")
	if err != nil {
		t.Fatal(err)
	}
	// Derived from mixed.json: the same run as Ginkgo reports it after Ctrl-C.
	interrupted := filepath.Join(t.TempDir(), "interrupted.json")
	text := strings.Replace(string(mixed), `"SpecialSuiteFailureReasons": null`, `"SpecialSuiteFailureReasons": ["Interrupted by User"]`, 1)
	if text == string(mixed) {
		t.Fatal("mixed.json no longer has SpecialSuiteFailureReasons: null to derive the interrupted report from")
	}
	if err := os.WriteFile(interrupted, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		report string
		code   int
		says   string
	}{
		{"testdata/lab-ginkgo-report.json", ExitOK, "verdict: passed: 40 probes passed, 4 skipped (exit 0)"},
		{"../../reports/testdata/mixed.json", ExitNotConformant, "not conformant:"},
		{"../../reports/testdata/setup-fail.json", ExitEnvironment, "setup failed, no probe was judged"},
		{interrupted, ExitInterrupted, "interrupted"},
		{"../../reports/testdata/dry.json", ExitUsage, "which has no verdict"},
		{filepath.Join(t.TempDir(), "none.json"), ExitEnvironment, "no report to judge"},
	} {
		t.Run(filepath.Base(tc.report), func(t *testing.T) {
			var out, errw bytes.Buffer
			code := run(context.Background(), []string{"verdict", tc.report}, &out, &errw)
			if code != tc.code || !strings.Contains(out.String()+errw.String(), tc.says) {
				t.Errorf("exit %d (want %d), output lacks %q:\n%s%s", code, tc.code, tc.says, out.String(), errw.String())
			}
		})
	}
}

// An interrupted command exits 130 whatever error its cancellation caused.
func TestInterruptedExit(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if code := exitCode(ctx, context.Canceled); code != ExitInterrupted {
		t.Errorf("exit %d, want %d", code, ExitInterrupted)
	}
}
