package reports

import "testing"

// Two "proxies" entries as a live upgrade lab run wrote them (phase 2 of make
// e2e-upgrade-lab: build A 1.31.0-dev.b01690e6db7d upgraded in place to 1.31.0-rc.eed52ebb66ad),
// plus an older entry without a reported version, which is left out.
func TestProxySummaryCountsEachPodOncePerKindAndVersion(t *testing.T) {
	specs := []*Spec{
		{Proxies: []string{"sidecar client egr-allow-any-passthrough-eedb50/curl-sidecar: 1.31.0-dev.b01690e6db7d, reports 1.31.0-dev.b01690e6db7d; gateway istio-system/istio-egressgateway-69445db894-52hqq: 1.31.0-rc.eed52ebb66ad, reports 1.31.0-rc.eed52ebb66ad"}},
		{Proxies: []string{"peer-sidecar client egr-service-entry-export-to-peer-82e783/curl-peer-sidecar: 1.31.0-dev.b01690e6db7d, reports 1.31.0-dev.b01690e6db7d; sidecar client egr-service-entry-export-to-462a09/curl-sidecar: 1.31.0-dev.b01690e6db7d, reports 1.31.0-dev.b01690e6db7d; gateway istio-system/istio-egressgateway-69445db894-52hqq: 1.31.0-rc.eed52ebb66ad, reports 1.31.0-rc.eed52ebb66ad"}},
		{Proxies: []string{"sidecar client egr/curl-sidecar: 1.30.0"}},
		{},
	}
	want := "gateways 1.31.0-rc.eed52ebb66ad ×1 · sidecars 1.31.0-dev.b01690e6db7d ×3"
	if got := proxySummary(specs); got != want {
		t.Fatalf("proxySummary = %q, want %q", got, want)
	}
	if got := proxySummary(nil); got != "" {
		t.Fatalf("no entries: %q", got)
	}
}
