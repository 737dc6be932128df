package istio

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// OutboundPolicy is what a sidecar does with traffic to a host the mesh does not know:
// meshConfig.outboundTrafficPolicy.mode mesh-wide, or a Sidecar resource's
// outboundTrafficPolicy for one namespace. The one type for it across the suite.
type OutboundPolicy string

const (
	// DefaultPolicy sets nothing: the mesh's policy applies (Istio's default is ALLOW_ANY).
	DefaultPolicy OutboundPolicy = ""
	// AllowAny passes unknown hosts through (PassthroughCluster).
	AllowAny OutboundPolicy = "ALLOW_ANY"
	// RegistryOnly refuses unknown hosts (BlackHoleCluster, the block_all route).
	RegistryOnly OutboundPolicy = "REGISTRY_ONLY"
)

// UpstreamClusterStats makes Envoy keep per-upstream-cluster stats
// (cluster.outbound|<port>||<host>.*), which Istio's default stats matcher drops.
const UpstreamClusterStats = `.*outbound\|[0-9]+\|\|.*`

// InstallOptions describe one Istio installation.
type InstallOptions struct {
	Version, Hub, Tag     string         // Hub/Tag empty: istioctl's defaults (its own release)
	Revision              string         // optional control-plane revision
	AccessLogFile         string         // "/dev/stdout" for access logs; empty: Istio's default (none)
	OutboundPolicy        OutboundPolicy // AllowAny | RegistryOnly; DefaultPolicy: Istio's (ALLOW_ANY)
	StatsInclusionRegexps []string       // proxyStatsMatcher.inclusionRegexps, e.g. UpstreamClusterStats
	EgressGateway         bool           // components.egressGateways[0]: istio-egressgateway
	GatewayAPIAlpha       bool           // PILOT_ENABLE_ALPHA_GATEWAY_API=true on istiod
	// UpstreamEnvoy: the proxies run upstream Envoy, so istiod must not emit Istio's own
	// filters (UpstreamEnvoyOff); one unknown filter makes Envoy reject the whole listener or
	// cluster.
	UpstreamEnvoy bool
	// ExtraSet are istioctl --set style "path=value" settings applied to the IstioOperator
	// spec last: dotted path ("\." for a literal dot, "[N]" for a list index), value true/false
	// and integers typed, anything else a string; quote a value ("\"true\"") to keep it a string.
	ExtraSet []string
}

// DefaultInstallOptions is what the suite installs unless told otherwise: access logs on
// stdout, per-upstream-cluster stats, an egress gateway, ALLOW_ANY.
func DefaultInstallOptions(version string) InstallOptions {
	return InstallOptions{
		Version:               version,
		AccessLogFile:         "/dev/stdout",
		OutboundPolicy:        AllowAny,
		StatsInclusionRegexps: []string{UpstreamClusterStats},
		EgressGateway:         true,
	}
}

// RenderOperator returns an IstioOperator (install.istio.io/v1alpha1) for `istioctl install
// -f`: profile minimal (istiod only: the suite never uses an ingress gateway, and a
// control-plane-only install must not wait for one), the options as meshConfig, components
// (the egress gateway) and values, then ExtraSet.
func RenderOperator(o InstallOptions) ([]byte, error) {
	switch o.OutboundPolicy {
	case DefaultPolicy, AllowAny, RegistryOnly:
	default:
		return nil, fmt.Errorf("outbound traffic policy %q is not %s or %s", o.OutboundPolicy, AllowAny, RegistryOnly)
	}
	for _, re := range o.StatsInclusionRegexps {
		if _, err := regexp.Compile(re); err != nil {
			return nil, fmt.Errorf("stats inclusion regexp %q does not compile: %v (Envoy uses RE2 syntax too)", re, err)
		}
	}

	spec := map[string]any{"profile": "minimal"}
	if o.Hub != "" {
		spec["hub"] = o.Hub
	}
	if o.Tag != "" {
		spec["tag"] = o.Tag
	}
	if o.Revision != "" {
		spec["revision"] = o.Revision
	}
	mesh := map[string]any{}
	if o.AccessLogFile != "" {
		mesh["accessLogFile"] = o.AccessLogFile
	}
	if o.OutboundPolicy != DefaultPolicy {
		mesh["outboundTrafficPolicy"] = map[string]any{"mode": string(o.OutboundPolicy)}
	}
	if len(o.StatsInclusionRegexps) > 0 {
		res := make([]any, len(o.StatsInclusionRegexps))
		for i, r := range o.StatsInclusionRegexps {
			res[i] = r
		}
		mesh["defaultConfig"] = map[string]any{"proxyStatsMatcher": map[string]any{"inclusionRegexps": res}}
	}
	if len(mesh) > 0 {
		spec["meshConfig"] = mesh
	}
	if o.EgressGateway {
		spec["components"] = map[string]any{
			"egressGateways": []any{map[string]any{"name": "istio-egressgateway", "enabled": true}},
		}
	}
	env := map[string]any{}
	// The resource requests of Istio's demo profile, which istio.io's egress tasks install
	// (manifests/charts/istio-control/istio-discovery/files/profile-demo.yaml in the istio
	// module): the minimal profile's 100m CPU per proxy and 500m for istiod would not let an
	// upgrade run keep every scenario's clients on a 2-CPU node (a lab run's pod stayed
	// Pending: "Insufficient cpu", 1950m of 2000m requested).
	values := map[string]any{
		"global":   map[string]any{"proxy": map[string]any{"resources": demoRequests("40Mi")}},
		"pilot":    map[string]any{"resources": demoRequests("100Mi")},
		"gateways": map[string]any{"istio-egressgateway": map[string]any{"resources": demoRequests("40Mi")}},
	}
	if o.GatewayAPIAlpha {
		env["PILOT_ENABLE_ALPHA_GATEWAY_API"] = "true"
	}
	if o.UpstreamEnvoy {
		for _, f := range UpstreamEnvoyOff {
			if f.PilotEnv != "" {
				env[f.PilotEnv] = "false"
			}
		}
		// The istio.stats filters come with the prometheus metrics provider the default
		// install adds (pilot/pkg/model/telemetry.go): telemetry off removes it.
		values["telemetry"] = map[string]any{"enabled": false}
	}
	if len(env) > 0 {
		values["pilot"].(map[string]any)["env"] = env
	}
	spec["values"] = values
	for _, s := range o.ExtraSet {
		if err := setPath(spec, s); err != nil {
			return nil, err
		}
	}

	name := "egress-conformance"
	if o.Revision != "" {
		name += "-" + o.Revision
	}
	meta := map[string]any{"name": name, "namespace": "istio-system"}
	if o.Version != "" {
		meta["annotations"] = map[string]any{"egress-conformance/istio-version": o.Version}
	}
	doc := map[string]any{
		"apiVersion": "install.istio.io/v1alpha1",
		"kind":       "IstioOperator",
		"metadata":   meta,
		"spec":       spec,
	}
	out, err := yaml.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("encoding the IstioOperator: %v", err)
	}
	return out, nil
}

// setPath applies one "a.b[0].c=value" setting to spec.
func setPath(spec map[string]any, setting string) error {
	p, raw, ok := strings.Cut(setting, "=")
	if !ok || p == "" {
		return fmt.Errorf("extra setting %q is not path=value (for example values.global.proxy.includeIPRanges=10.0.0.0/8)", setting)
	}
	segs, err := splitPath(p)
	if err != nil {
		return fmt.Errorf("extra setting %q: %v", setting, err)
	}
	var cur any = spec
	for i, seg := range segs {
		last := i == len(segs)-1
		m, ok := cur.(map[string]any)
		if !ok {
			return fmt.Errorf("extra setting %q: %s is not a map", setting, strings.Join(keysOf(segs[:i]), "."))
		}
		if seg.index < 0 {
			if last {
				m[seg.key] = parseValue(raw)
				return nil
			}
			next, ok := m[seg.key]
			if !ok || next == nil {
				next = map[string]any{}
				m[seg.key] = next
			}
			cur = next
			continue
		}
		list, _ := m[seg.key].([]any)
		if _, exists := m[seg.key]; exists && list == nil {
			return fmt.Errorf("extra setting %q: %s is not a list", setting, strings.Join(keysOf(segs[:i+1]), "."))
		}
		switch {
		case seg.index < len(list):
		case seg.index == len(list):
			list = append(list, map[string]any{})
		default:
			return fmt.Errorf("extra setting %q: index %d is past the end of %s (length %d)", setting, seg.index, seg.key, len(list))
		}
		m[seg.key] = list
		if last {
			list[seg.index] = parseValue(raw)
			return nil
		}
		cur = list[seg.index]
	}
	return nil
}

type pathSeg struct {
	key   string
	index int // -1: not indexed
}

func keysOf(segs []pathSeg) []string {
	out := make([]string, len(segs))
	for i, s := range segs {
		out[i] = s.key
		if s.index >= 0 {
			out[i] += "[" + strconv.Itoa(s.index) + "]"
		}
	}
	return out
}

// splitPath splits a.b\.c[2].d into segments, honouring "\." as a literal dot.
func splitPath(p string) ([]pathSeg, error) {
	var parts []string
	var cur strings.Builder
	for i := 0; i < len(p); i++ {
		switch {
		case p[i] == '\\' && i+1 < len(p) && p[i+1] == '.':
			cur.WriteByte('.')
			i++
		case p[i] == '.':
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(p[i])
		}
	}
	parts = append(parts, cur.String())
	segs := make([]pathSeg, 0, len(parts))
	for _, part := range parts {
		seg := pathSeg{key: part, index: -1}
		if open := strings.IndexByte(part, '['); open >= 0 && strings.HasSuffix(part, "]") {
			n, err := strconv.Atoi(part[open+1 : len(part)-1])
			if err != nil || n < 0 {
				return nil, fmt.Errorf("bad list index in %q", part)
			}
			seg = pathSeg{key: part[:open], index: n}
		}
		if seg.key == "" {
			return nil, fmt.Errorf("empty path element in %q", p)
		}
		segs = append(segs, seg)
	}
	return segs, nil
}

func parseValue(raw string) any {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' {
		return raw[1 : len(raw)-1]
	}
	switch raw {
	case "true":
		return true
	case "false":
		return false
	}
	if n, err := strconv.ParseInt(raw, 10, 64); err == nil {
		return n
	}
	return raw
}

// demoRequests are the demo profile's requests: 10m CPU and the given memory.
func demoRequests(memory string) map[string]any {
	return map[string]any{"requests": map[string]any{"cpu": "10m", "memory": memory}}
}
