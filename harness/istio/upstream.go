package istio

import "strings"

// IstioFilter is one of Istio's own Envoy extensions (compiled into istio-proxy, absent from
// upstream Envoy) that istiod emits by default, and how the install turns it off.
type IstioFilter struct {
	// Name is what the report calls it.
	Name string
	// PilotEnv is istiod's switch (set to "false"); empty: switched off another way.
	PilotEnv string
}

// UpstreamEnvoyOff are the filters an install for upstream Envoy switches off
// (InstallOptions.UpstreamEnvoy): the ALPN override filter, metadata exchange (HTTP, network
// and cluster filters; an EnvoyFilter cannot remove cluster filters) and the stats filters
// (values.telemetry.enabled=false). What the proxies lose with them: istio_* metrics, peer
// metadata, the istio-http/1.1 ALPN on in-mesh mTLS (docs/lab.md).
var UpstreamEnvoyOff = []IstioFilter{
	{Name: "alpn", PilotEnv: "PILOT_ENABLE_ALPN_FILTER"},
	{Name: "metadata exchange", PilotEnv: "PILOT_ENABLE_METADATA_EXCHANGE"},
	{Name: "stats"},
}

// UpstreamEnvoyFiltersOff names them for reports: "alpn, metadata exchange, stats".
func UpstreamEnvoyFiltersOff() string {
	names := make([]string, len(UpstreamEnvoyOff))
	for i, f := range UpstreamEnvoyOff {
		names[i] = f.Name
	}
	return strings.Join(names, ", ")
}
