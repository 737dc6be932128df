// Package scenarios is the catalog of documented Istio egress behaviours. Each scenario is
// one file holding a declarative value (what, why, needs, expects) plus its Istio config in
// testdata/<snake_name>.yaml; it registers itself in init(). Nothing here imports Ginkgo:
// suites/ turns the catalog into specs.
package scenarios

import (
	"embed"
	"fmt"
	"path"
	"runtime"
	"sort"
	"strings"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/istio"
	"github.com/egressconformance/iec/harness/version"
	"github.com/egressconformance/iec/scenarios/expect"
)

// Label is one of a small closed set, used for Ginkgo label filters and the report.
type Label string

const (
	Core           Label = "core"
	Extended       Label = "extended"
	OutboundPolicy Label = "outbound-policy"
	ServiceEntry   Label = "service-entry"
	Timeout        Label = "timeout"
	EgressGateway  Label = "egress-gateway"
	HTTPSProxy     Label = "https-proxy"
	TLSOrigination Label = "tls-origination"
	GatewayAPI     Label = "gateway-api"
	// Serial scenarios read shared counters or change mesh-wide state: never in parallel.
	Serial Label = "serial"
	Slow   Label = "slow"
)

// Policy is an outbound traffic policy (istio.OutboundPolicy, under the name the scenario
// files use): Requires.Policy is applied to the scenario's namespace with a Sidecar resource
// (fast, no reinstall), Requires.MeshPolicy mesh-wide.
type Policy = istio.OutboundPolicy

const (
	MeshDefault  = istio.DefaultPolicy
	AllowAny     = istio.AllowAny
	RegistryOnly = istio.RegistryOnly
)

// Requires says what a scenario needs; an unmet need skips it with the reason.
type Requires struct {
	// MinIstio is the first Istio release the documented behaviour applies to.
	MinIstio string
	// Policy for the scenario's namespace.
	Policy Policy
	// Gateway: the egress gateway must be installed.
	Gateway bool
	// Hermetic: the scenario needs destinations of our own (it dials their addresses or
	// relies on their records), so it cannot run against the public hosts.
	Hermetic bool
	// NetworkPolicy: the CNI must enforce NetworkPolicy (checked once per run; skipped with
	// the reason otherwise).
	NetworkPolicy bool
	// GatewayAPIGateway names the Gateway API Gateway the scenario's config creates in its
	// namespace; Istio deploys its proxy there, and gateway evidence is read from it.
	GatewayAPIGateway string
	// MeshPolicy switches the mesh-wide outbound policy (meshConfig, by reinstalling Istio)
	// for the scenario and back afterwards: such a scenario must be Serial.
	MeshPolicy Policy
}

// Probe is one client request and what must come of it.
type Probe struct {
	Name string
	// Apply lists testdata manifests applied before this probe; they stay for the rest of
	// the scenario and are removed in reverse order at its end.
	Apply []string
	From  fixtures.ClientKind
	// URL is a template over fixtures.Vars, e.g. "http://{{.HTTPHost}}/headers".
	URL string
	// Resolve pins the URL's host to another address for curl ("host:port:ip", template).
	Resolve  string
	ViaSquid bool
	Expect   expect.Outcome
}

// Scenario is one documented egress behaviour.
type Scenario struct {
	// Name is the kebab-case id; the file is its snake_case, the variable its CamelCase.
	Name string
	// What the scenario proves, in one sentence.
	Summary string
	// Source is the document the behaviour comes from.
	Source   string
	Labels   []Label
	Requires Requires
	Probes   []Probe

	file string
	line int
}

// Location is where the scenario is declared, so failures point at its own file.
func (s Scenario) Location() (file string, line int) { return s.file, s.line }

// HasLabel reports whether the scenario carries l.
func (s Scenario) HasLabel(l Label) bool {
	for _, x := range s.Labels {
		if x == l {
			return true
		}
	}
	return false
}

// SkipReason says why the scenario does not apply to this Istio version or mode, or "".
func (s Scenario) SkipReason(istio version.Version, hermetic bool) string {
	if s.Requires.Hermetic && !hermetic {
		return "needs the suite's own destinations (hermetic mode): it dials their addresses or reads their records"
	}
	if s.Requires.MinIstio != "" && !istio.AtLeast(s.Requires.MinIstio) {
		return fmt.Sprintf("documented behaviour applies from Istio %s; this run installs %s", s.Requires.MinIstio, istio)
	}
	return ""
}

//go:embed testdata/*.yaml
var testdata embed.FS

// Manifest returns a testdata manifest's template text.
func Manifest(name string) ([]byte, error) {
	b, err := testdata.ReadFile(path.Join("testdata", name))
	if err != nil {
		return nil, fmt.Errorf("scenario manifest %s: %w", name, err)
	}
	return b, nil
}

var registry = map[string]Scenario{}

// register adds a scenario; it panics on a duplicate or malformed declaration, so a broken
// catalog fails at start-up, not halfway through a run.
func register(s Scenario) {
	_, file, line, _ := runtime.Caller(1)
	s.file, s.line = file, line
	if err := s.validate(); err != nil {
		panic(fmt.Sprintf("scenario declared at %s:%d: %v", file, line, err))
	}
	if prev, dup := registry[s.Name]; dup {
		panic(fmt.Sprintf("scenario %q declared twice: %s:%d and %s:%d", s.Name, prev.file, prev.line, file, line))
	}
	registry[s.Name] = s
}

func (s Scenario) validate() error {
	if s.Name == "" || strings.ToLower(s.Name) != s.Name || strings.ContainsAny(s.Name, " _") {
		return fmt.Errorf("name %q must be kebab-case", s.Name)
	}
	if want := strings.ReplaceAll(s.Name, "-", "_") + ".go"; path.Base(s.file) != want && !strings.HasSuffix(s.file, "_test.go") {
		return fmt.Errorf("scenario %q must live in %s, not %s", s.Name, want, path.Base(s.file))
	}
	if s.Requires.MeshPolicy != "" && !s.HasLabel(Serial) {
		return fmt.Errorf("scenario %q changes the mesh-wide policy: label it Serial", s.Name)
	}
	if s.Summary == "" || s.Source == "" || len(s.Probes) == 0 {
		return fmt.Errorf("scenario %q needs a Summary, a Source and at least one probe", s.Name)
	}
	seen := map[string]bool{}
	for _, p := range s.Probes {
		if p.Name == "" || seen[p.Name] {
			return fmt.Errorf("scenario %q: probe names must be unique and non-empty (%q)", s.Name, p.Name)
		}
		seen[p.Name] = true
		if len(p.Expect.Checks) == 0 {
			return fmt.Errorf("scenario %q probe %q expects nothing", s.Name, p.Name)
		}
		for _, m := range p.Apply {
			if _, err := Manifest(m); err != nil {
				return err
			}
		}
	}
	return nil
}

// All returns the catalog sorted by name.
func All() []Scenario {
	out := make([]Scenario, 0, len(registry))
	for _, s := range registry {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns one scenario by name.
func Get(name string) (Scenario, bool) {
	s, ok := registry[name]
	return s, ok
}
