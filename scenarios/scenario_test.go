package scenarios

import (
	"strings"
	"testing"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/gatewayapi"
	"github.com/egressconformance/iec/harness/istiocfg"
	"github.com/egressconformance/iec/harness/kube"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/scenarios/expect"
)

func vars(mode config.Mode, istio string) fixtures.Vars {
	w := &fixtures.World{Names: fixtures.NamesFor(mode), Istio: version.MustParse(istio), Gateway: fixtures.DefaultGateway}
	v := w.BaseVars()
	v.Namespace, v.ProxyIP = "egr-test-abc123", "192.0.2.10"
	return v
}

// Every manifest of every scenario renders in both modes for every supported minor, decodes
// into named objects, and uses the networking API that minor serves.
func TestEveryManifestRendersAndDecodes(t *testing.T) {
	if len(All()) < 4 {
		t.Fatalf("the catalog has only %d scenarios", len(All()))
	}
	for _, s := range All() {
		for _, mode := range []config.Mode{config.Hermetic, config.Internet} {
			for _, minor := range append([]string{"1.21"}, config.SupportedIstioMinors...) {
				v := vars(mode, minor)
				for _, p := range s.Probes {
					for _, m := range p.Apply {
						text, _ := Manifest(m)
						objs, err := kube.Decode(text, v, map[string]string{"egress-conformance/run": "t"})
						if err != nil {
							t.Fatalf("%s %s Istio %s: %s: %v", s.Name, mode, minor, m, err)
						}
						for _, o := range objs {
							if err := istiocfg.Validate(o); err != nil {
								t.Errorf("%s %s Istio %s: %s: %v", s.Name, mode, minor, m, err)
							}
							if err := gatewayapi.Validate(o); err != nil {
								t.Errorf("%s %s Istio %s: %s: %v", s.Name, mode, minor, m, err)
							}
							if o.GetName() == "" || o.GetKind() == "" {
								t.Errorf("%s: %s: object without kind or name", s.Name, m)
							}
							if strings.HasPrefix(o.GetAPIVersion(), "networking.istio.io/") && o.GetAPIVersion() != v.NetworkingAPI {
								t.Errorf("%s: %s uses %s on Istio %s, want %s", s.Name, m, o.GetAPIVersion(), minor, v.NetworkingAPI)
							}
						}
					}
				}
			}
		}
	}
}

func TestDeclarationsFollowTheConventions(t *testing.T) {
	for _, s := range All() {
		file, line := s.Location()
		if !strings.HasSuffix(file, strings.ReplaceAll(s.Name, "-", "_")+".go") || line == 0 {
			t.Errorf("%s is declared at %s:%d", s.Name, file, line)
		}
		for _, p := range s.Probes {
			if p.URL == "" || p.From == "" {
				t.Errorf("%s/%s: probe without URL or client", s.Name, p.Name)
			}
		}
	}
}

func TestRegisterRejectsDuplicatesAndEmptyScenarios(t *testing.T) {
	mustPanic := func(name string, f func(), want string) {
		t.Helper()
		defer func() {
			r := recover()
			if r == nil || !strings.Contains(r.(string), want) {
				t.Errorf("%s: want a panic with %q, got %v", name, want, r)
			}
		}()
		f()
	}
	dup := VirtualServiceTimeout504
	mustPanic("duplicate", func() { register(dup) }, "declared twice")
	mustPanic("no probes", func() {
		register(Scenario{Name: "empty-one", Summary: "x", Source: "y"})
	}, "at least one probe")
	mustPanic("expects nothing", func() {
		register(Scenario{Name: "lazy-one", Summary: "x", Source: "y", Probes: []Probe{{Name: "p", URL: "http://x", From: fixtures.SidecarClient, Expect: expect.Converges()}}})
	}, "expects nothing")
	mustPanic("bad name", func() { register(Scenario{Name: "Bad_Name"}) }, "kebab-case")
}

func TestVersionAwareness(t *testing.T) {
	s := Scenario{Requires: Requires{MinIstio: "1.22"}}
	if r := s.SkipReason(version.MustParse("1.21.4"), true); !strings.Contains(r, "applies from Istio 1.22") {
		t.Errorf("skip reason: %q", r)
	}
	if r := s.SkipReason(version.MustParse("1.31.1"), true); r != "" {
		t.Errorf("1.31.1 must not be skipped: %q", r)
	}
	if got := fixtures.NetworkingAPI(version.MustParse("1.21.9")); got != "networking.istio.io/v1beta1" {
		t.Errorf("Istio 1.21 serves no networking v1: %s", got)
	}
}

func TestHermeticOnlyScenariosSkipInInternetMode(t *testing.T) {
	s := Scenario{Requires: Requires{Hermetic: true}}
	if r := s.SkipReason(version.MustParse("1.31.1"), false); !strings.Contains(r, "hermetic mode") {
		t.Errorf("skip reason: %q", r)
	}
	if r := s.SkipReason(version.MustParse("1.31.1"), true); r != "" {
		t.Errorf("must run in hermetic mode: %q", r)
	}
}

func TestCompleteConfigFrom(t *testing.T) {
	p := func(apply ...string) Probe { return Probe{Apply: apply} }
	for _, tc := range []struct {
		name   string
		probes []Probe
		want   int
	}{
		{"nothing applied", []Probe{p(), p()}, 0},
		{"applied first", []Probe{p("a.yaml"), p()}, 0},
		{"applied last", []Probe{p(), p(), p("b.yaml")}, 2},
		{"applied twice", []Probe{p("a.yaml"), p(), p("b.yaml"), p()}, 2},
	} {
		if got := (Scenario{Probes: tc.probes}).CompleteConfigFrom(); got != tc.want {
			t.Errorf("%s: CompleteConfigFrom = %d, want %d", tc.name, got, tc.want)
		}
	}
	// Every catalog scenario keeps at least its last probe for the later phases of an upgrade.
	for _, s := range All() {
		if i := s.CompleteConfigFrom(); i < 0 || i >= len(s.Probes) {
			t.Errorf("%s: CompleteConfigFrom = %d of %d probes", s.Name, i, len(s.Probes))
		}
	}
}
