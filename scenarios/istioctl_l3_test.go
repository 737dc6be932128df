//go:build l3

package scenarios_test

// Every manifest the suite renders — every scenario, both modes, each supported Istio minor,
// and the suite's own namespace config — through istioctl: `istioctl validate` (Istio's
// schema and semantic checks, the webhook's code) and `istioctl analyze --use-kube=false`
// (cross-object analysis: dangling gateways, hosts, subsets, conflicting VirtualServices),
// failing on any error-level finding. Each scenario's objects are analysed in the namespace
// a run gives them and together with what can run at the same time: all parallel scenarios
// at once (their config coexists in a run, so a conflict between them is real), each serial
// scenario on its own (Ginkgo runs Serial specs alone; an upgrade run, which keeps every
// session through its phases, holds a serial scenario's config only while its probes run:
// Scenario.Exclusive, because together they are not valid: IST0109). The istioctl is the one
// the lab builds (EGRESS_ISTIOCTL, set by `make test-l3`), or any istioctl a user gives.

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/istio"
	"github.com/egressconformance/iec/harness/kube"
	"github.com/egressconformance/iec/harness/parse"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/scenarios"
)

func istioctlPath(t *testing.T) string {
	p := os.Getenv("EGRESS_ISTIOCTL")
	if p == "" {
		t.Fatal("EGRESS_ISTIOCTL is not set: run through `make test-l3` (it builds istioctl from istio.io/istio) or point it at an istioctl")
	}
	return p
}

// writeNamespaced writes manifest into dir/name.yaml with every object placed in namespace.
func writeNamespaced(t *testing.T, dir, name, namespace string, manifest []byte) string {
	t.Helper()
	objs, err := kube.Decode(manifest, nil, nil)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var out []byte
	for _, o := range objs {
		if o.GetNamespace() == "" {
			o.SetNamespace(namespace)
		}
		b, err := yaml.Marshal(o.Object)
		if err != nil {
			t.Fatal(err)
		}
		out = append(append(out, "---\n"...), b...)
	}
	path := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestL3IstioctlValidateAndAnalyzeEveryManifest(t *testing.T) {
	istioctl := istioctlPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	for _, minor := range config.SupportedIstioMinors {
		iv := version.MustParse(minor + ".0")
		for _, mode := range []config.Mode{config.Hermetic, config.Internet} {
			dir := t.TempDir()
			var files, parallel []string
			var serial [][]string
			rendered, err := scenarios.RenderAll(mode, iv)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range rendered {
				if len(strings.TrimSpace(string(r.YAML))) > 0 {
					f := writeNamespaced(t, dir, r.Scenario.Name, r.Vars.Namespace, r.YAML)
					files = append(files, f)
					if r.Scenario.HasLabel(scenarios.Serial) {
						serial = append(serial, []string{f})
					} else {
						parallel = append(parallel, f)
					}
				}
				if i == 0 {
					own, err := fixtures.OwnConfig(r.Vars)
					if err != nil {
						t.Fatal(err)
					}
					for name, b := range own {
						// One Sidecar per namespace: each policy in a namespace of its own.
						f := writeNamespaced(t, dir, "suite-"+name, "egr-suite-"+name, b)
						files = append(files, f)
						parallel = append(parallel, f)
					}
				}
			}
			if err := istio.Validate(ctx, istioctl, files...); err != nil {
				t.Errorf("Istio %s, %s mode: %v", minor, mode, err)
			}
			var findings []parse.Finding
			for _, set := range append([][]string{parallel}, serial...) {
				fs, err := istio.Analyze(ctx, istioctl, nil, set...)
				if err != nil {
					t.Fatalf("Istio %s, %s mode: %v", minor, mode, err)
				}
				findings = append(findings, fs...)
			}
			for _, f := range findings {
				t.Logf("Istio %s, %s mode: %s", minor, mode, f)
			}
			for _, f := range parse.AtLeast(findings, false) {
				t.Errorf("Istio %s, %s mode: error-level finding: %s", minor, mode, f)
			}
			t.Logf("Istio %s, %s mode: %d files valid; analysed as %d sets (parallel scenarios together, each serial one alone): %d findings", minor, mode, len(files), 1+len(serial), len(findings))
		}
	}
}

// The checks can fail: a semantically broken VirtualService is rejected by validate, and a
// VirtualService bound to a Gateway that does not exist is an error for analyze.
func TestL3IstioctlRejectsBrokenConfig(t *testing.T) {
	istioctl := istioctlPath(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	noRoute := writeNamespaced(t, dir, "no-route", "egr-broken", []byte(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: no-route}
spec:
  hosts: [httpbin.egress.test]
  http:
  - match: [{uri: {prefix: /}}]
`))
	verr := istio.Validate(ctx, istioctl, noRoute)
	if verr == nil || !strings.Contains(verr.Error(), "HTTP route, redirect or direct_response is required") {
		t.Fatalf("istioctl validate of a VirtualService without a route: got %v, want its rejection", verr)
	}
	dangling := writeNamespaced(t, dir, "dangling", "egr-broken", []byte(`apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: via-missing-gateway}
spec:
  hosts: [httpbin.egress.test]
  gateways: [istio-system/no-such-gateway]
  http:
  - route: [{destination: {host: httpbin.egress.test}}]
`))
	findings, err := istio.Analyze(ctx, istioctl, nil, dangling)
	if err != nil {
		t.Fatal(err)
	}
	errs := parse.AtLeast(findings, false)
	if len(errs) == 0 || errs[0].Code != "IST0101" {
		t.Fatalf("istioctl analyze of a VirtualService bound to a missing Gateway: got %v, want an IST0101 error", findings)
	}
	t.Logf("rejected as expected: %v; %s", verr, errs[0])
}
