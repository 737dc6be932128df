package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/egressconformance/iec/reports"
)

// Exit codes of diff: CI gates on them.
const (
	diffSame      = 0 // no regression
	diffRegressed = 1 // a probe newly fails, is no longer judged, or is slower
	diffUsage     = 2 // bad arguments or an unreadable report
)

// diff compares two runs' Ginkgo JSON reports (a base, such as the last good run or the
// installed Istio's, and a new one), prints the Markdown of what changed, writes diff.md and
// diff.html with -out, and exits with whether the new run regressed.
func diff(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("egress-report diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "also write diff.md and diff.html into this directory")
	slower := fs.Float64("slower", 50, "a passing probe is slower when it took more than this percent longer ...")
	atLeast := fs.Duration("slower-at-least", 5*time.Second, "... and at least this much longer")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: egress-report diff [-out DIR] [-slower PCT] [-slower-at-least D] BASE.json NEW.json\\n\\nexit 0: no regression; 1: a probe newly fails, is no longer judged, or is slower; 2: bad usage\\n\\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return diffUsage
	}
	if fs.NArg() != 2 || *slower < 0 || *atLeast < 0 {
		fs.Usage()
		return diffUsage
	}
	runs, ok := loadRuns("diff", fs.Args(), stderr)
	if !ok {
		return diffUsage
	}
	d, err := reports.Compare(runs[0], runs[1], *slower/100, *atLeast)
	if err != nil {
		fmt.Fprintf(stderr, "egress-report diff: %v\n", err)
		return diffUsage
	}
	md := d.Markdown()
	fmt.Fprint(stdout, md)
	if *out != "" {
		var html bytes.Buffer
		if err := reports.WriteDiffHTML(d, &html); err != nil {
			fmt.Fprintf(stderr, "egress-report diff: rendering diff.html: %v\n", err)
			return diffUsage
		}
		if !writeFiles("diff", *out, map[string][]byte{"diff.md": []byte(md), "diff.html": html.Bytes()}, stderr) {
			return diffUsage
		}
	}
	if d.Regressed() {
		return diffRegressed
	}
	return diffSame
}

// merge prints the matrix of several runs (one column per run and upgrade phase) and writes
// merge.md with -out.
func merge(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("egress-report merge", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "also write merge.md into this directory")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: egress-report merge [-out DIR] RUN.json...\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return diffUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return diffUsage
	}
	runs, ok := loadRuns("merge", fs.Args(), stderr)
	if !ok {
		return diffUsage
	}
	m, err := reports.Merge(runs)
	if err != nil {
		fmt.Fprintf(stderr, "egress-report merge: %v\n", err)
		return diffUsage
	}
	md := m.Markdown()
	fmt.Fprint(stdout, md)
	if *out != "" && !writeFiles("merge", *out, map[string][]byte{"merge.md": []byte(md)}, stderr) {
		return diffUsage
	}
	return diffSame
}

// loadRuns reads Ginkgo JSON reports; on a problem it says which file and why, and ok is false.
func loadRuns(cmd string, paths []string, stderr io.Writer) (runs []*reports.Run, ok bool) {
	for _, p := range paths {
		r, err := reports.LoadFile(p)
		if err != nil {
			fmt.Fprintf(stderr, "egress-report %s: %v\n", cmd, err)
			return nil, false
		}
		runs = append(runs, r)
	}
	return runs, true
}

// writeFiles writes files into dir (created when missing); ok is false after a failure, said.
func writeFiles(cmd, dir string, files map[string][]byte, stderr io.Writer) bool {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(stderr, "egress-report %s: %v\n", cmd, err)
		return false
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			fmt.Fprintf(stderr, "egress-report %s: %v\n", cmd, err)
			return false
		}
	}
	return true
}
