package scenarios

import (
	"fmt"
	"strings"
	"text/template"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/gatewayapi"
	"github.com/egressconformance/iec/harness/istiocfg"
	"github.com/egressconformance/iec/harness/kube"
	"github.com/egressconformance/iec/harness/version"
)

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

// Rendered is one scenario's config rendered outside a run.
type Rendered struct {
	Scenario Scenario
	Vars     fixtures.Vars
	YAML     []byte // empty when the scenario applies no config
}

// RenderAll renders every registered scenario for one mode and Istio version.
func RenderAll(mode config.Mode, istio version.Version) ([]Rendered, error) {
	var out []Rendered
	for _, s := range All() {
		v := RenderVars(mode, istio, s.Name)
		b, err := Render(s, v)
		if err != nil {
			return nil, err
		}
		out = append(out, Rendered{Scenario: s, Vars: v, YAML: b})
	}
	return out, nil
}

// Render renders all of a scenario's manifests into one multi-document YAML.
func Render(s Scenario, v fixtures.Vars) ([]byte, error) {
	var out []byte
	seen := map[string]bool{}
	for _, p := range s.Probes {
		for _, m := range p.Apply {
			if seen[m] {
				continue
			}
			seen[m] = true
			text, err := Manifest(m)
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

// Text is a probe's spec text, "probe: expectation" (the reports split it there), with the
// mode's names filled in so reports read like the docs: "destination saw TLS with SNI
// edition.cnn.com". The scenario's namespace is random per run and reads "<namespace>".
func Text(p Probe, mode config.Mode, scenario string) string {
	raw := fmt.Sprintf("%s: %s", p.Name, p.Expect)
	if !strings.Contains(raw, "{{") {
		return raw
	}
	v := RenderVars(mode, version.Version{}, scenario)
	v.Namespace, v.ProxyIP = "<namespace>", "<squid>"
	t, err := template.New(p.Name).Option("missingkey=error").Parse(raw)
	if err != nil {
		return raw
	}
	var b strings.Builder
	if err := t.Execute(&b, v); err != nil {
		return raw
	}
	return b.String()
}
