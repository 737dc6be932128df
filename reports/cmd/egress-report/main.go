// Command egress-report renders the sign-off artifacts of a conformance run again from
// Ginkgo's JSON report: junit.xml, report.md and report.html into a directory; and compares
// runs (compare.go).
//
//	egress-report -in _out/artifacts/ginkgo-report.json -out _out/artifacts
//	egress-report diff [-out DIR] BASE.json NEW.json
//	egress-report merge [-out DIR] RUN.json...
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/egressconformance/iec/reports"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "diff" {
		os.Exit(diff(os.Args[2:], os.Stdout, os.Stderr))
	}
	if len(os.Args) > 1 && os.Args[1] == "merge" {
		os.Exit(merge(os.Args[2:], os.Stdout, os.Stderr))
	}
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "egress-report: %v\n", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("egress-report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "Ginkgo JSON report (ginkgo --json-report); required")
	out := fs.String("out", "", "directory for junit.xml, report.md and report.html; required")
	catalog := fs.Bool("catalog", true, "complete the report with this build's scenario catalog (summaries, sources, scenarios the run never reached)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: egress-report -in ginkgo-report.json -out DIR\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *in == "" || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return fmt.Errorf("need -in FILE and -out DIR, and no other arguments")
	}
	r, err := reports.LoadFile(*in)
	if err != nil {
		return err
	}
	if *catalog {
		r.MergeCatalog(reports.Catalog())
	}
	written, err := reports.WriteFiles(r, *out)
	if err != nil {
		return err
	}
	for _, p := range written {
		fmt.Fprintln(stdout, p)
	}
	return nil
}
