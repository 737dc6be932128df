package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/gatewayapi"
	"github.com/egressconformance/iec/harness/istiocfg"
	"github.com/egressconformance/iec/harness/kube"
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

// RenderVars are the template data used to render a scenario outside a run: the names of
// the mode, and documentation addresses (RFC 5737) where the run would fill in a container IP.
func RenderVars(mode config.Mode, istio version.Version, scenario string) fixtures.Vars {
	w := &fixtures.World{Names: fixtures.NamesFor(mode), Istio: istio, Gateway: fixtures.DefaultGateway, Cfg: config.Config{RunID: "render"}}
	v := w.BaseVars()
	v.Namespace = "egr-" + scenario + "-render"
	v.Scenario = scenario
	v.ProxyIP = "192.0.2.10"
	return v
}

// RenderScenario renders all of a scenario's manifests into one multi-document YAML.
func RenderScenario(s scenarios.Scenario, v fixtures.Vars) ([]byte, error) {
	var out []byte
	seen := map[string]bool{}
	for _, p := range s.Probes {
		for _, m := range p.Apply {
			if seen[m] {
				continue
			}
			seen[m] = true
			text, err := scenarios.Manifest(m)
			if err != nil {
				return nil, err
			}
			r, err := kube.Render(text, v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", s.Name, m, err)
			}
			objs, err := kube.Decode(r, nil, nil)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", s.Name, m, err)
			}
			for _, o := range objs {
				if err := istiocfg.Validate(o); err != nil {
					return nil, fmt.Errorf("%s: %s: %w", s.Name, m, err)
				}
				if err := gatewayapi.Validate(o); err != nil {
					return nil, fmt.Errorf("%s: %s: %w", s.Name, m, err)
				}
			}
			out = append(out, []byte("---\n# "+m+"\n")...)
			out = append(out, r...)
			if len(r) > 0 && r[len(r)-1] != '\n' {
				out = append(out, '\n')
			}
		}
	}
	return out, nil
}

func renderManifests(dir string, w io.Writer) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	istio := version.MustParse(config.DefaultIstioVersion)
	n := 0
	for _, s := range scenarios.All() {
		for _, mode := range []config.Mode{config.Hermetic, config.Internet} {
			b, err := RenderScenario(s, RenderVars(mode, istio, s.Name))
			if err != nil {
				return err
			}
			if len(b) == 0 {
				continue
			}
			path := filepath.Join(dir, fmt.Sprintf("%s.%s.yaml", s.Name, mode))
			if err := os.WriteFile(path, b, 0o644); err != nil {
				return err
			}
			n++
		}
	}
	fmt.Fprintf(w, "rendered %d manifests into %s\n", n, dir)
	return nil
}
