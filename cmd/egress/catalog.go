package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/scenarios"
)

func listScenarios(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tLABELS\tPROBES\tSOURCE")
	for _, s := range scenarios.All() {
		labels := make([]string, len(s.Labels))
		for i, l := range s.Labels {
			labels[i] = string(l)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", s.Name, strings.Join(labels, ","), len(s.Probes), s.Source)
	}
	return tw.Flush()
}

func renderManifests(dir string, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	istio := version.MustParse(config.DefaultIstioVersion)
	n := 0
	for _, mode := range []config.Mode{config.Hermetic, config.Internet} {
		rs, err := scenarios.RenderAll(mode, istio)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if len(r.YAML) == 0 {
				continue
			}
			path := filepath.Join(dir, fmt.Sprintf("%s.%s.yaml", r.Scenario.Name, mode))
			if err := os.WriteFile(path, r.YAML, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Fprintf(w, "rendered %d manifests into %s\n", n, dir)
	return nil
}
