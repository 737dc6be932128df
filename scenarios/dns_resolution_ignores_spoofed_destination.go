package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(DNSResolutionIgnoresSpoofedDestination) }

// DNSResolutionIgnoresSpoofedDestination: with `resolution: DNS` Envoy ignores the address
// the client dialled and sends the request where DNS says the host is; with `NONE` it trusts
// the dialled address.
// Why: why the docs' entries use DNS resolution: with NONE a
// client could put an allowed name in the Host header and reach any address.
// Needs: two destinations of our own: the client dials the TLS container's address while
// asking for the httpbin host.
// Expects: with DNS the httpbin container answers (and the other never sees the request);
// with NONE the dialled container answers.
var DNSResolutionIgnoresSpoofedDestination = Scenario{
	Name:     "dns-resolution-ignores-spoofed-destination",
	Summary:  "with resolution DNS a forged destination address cannot redirect an allowed host; with NONE it can",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/egress-control/#access-an-external-http-service; https://istio.io/v1.31/docs/reference/config/networking/service-entry/#ServiceEntry-Resolution (Istio 1.31 docs)`,
	Labels:   []Label{Extended, ServiceEntry, OutboundPolicy},
	Requires: Requires{Policy: RegistryOnly, Hermetic: true},
	Probes: []Probe{
		{Name: "dns-entry-goes-where-dns-says",
			Apply: []string{"dns_resolution_ignores_spoofed_destination.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers", Resolve: "{{.HTTPHost}}:80:{{.SecureIP}}",
			Expect: Converges(HTTPStatus(200), DestinationRole("httpbin"), DestinationHost("{{.HTTPHost}}"))},
		{Name: "none-entry-goes-where-the-client-dialled",
			Apply: []string{"dns_resolution_ignores_spoofed_destination_none.yaml"},
			From:  SidecarClient, URL: "http://{{.HTTPHost}}/headers", Resolve: "{{.HTTPHost}}:80:{{.SecureIP}}",
			Expect: Converges(HTTPStatus(200), DestinationRole("secure"), DestinationHost("{{.HTTPHost}}"))},
	},
}
