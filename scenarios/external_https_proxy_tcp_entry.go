package scenarios

import (
	. "github.com/egressconformance/iec/fixtures"
	. "github.com/egressconformance/iec/scenarios/expect"
)

func init() { register(ExternalHTTPSProxyTCPEntry) }

// ExternalHTTPSProxyTCPEntry: an app using HTTPS_PROXY reaches the world through a corporate
// proxy once a TCP ServiceEntry for the proxy's IP exists.
// Why: after CONNECT the proxy is a tunnel, so the mesh only needs to know the proxy (TCP,
// addresses: [<proxy IP>/32]); no entry for the final host is needed.
// Needs: Squid outside the cluster, addressed by IP; a plain and a sidecar client, the
// sidecar under REGISTRY_ONLY.
// Expects: the plain pod tunnels through Squid (TCP_TUNNEL/200 CONNECT <host>:443); the
// sidecar pod is blocked before the entry — its CONNECT is cut (curl 56, "Proxy CONNECT
// aborted") because the sidecar sends the unknown proxy address to BlackHoleCluster, whose TCP
// line is the proxy's own proof; Squid and the server see nothing — and works after it, with outbound|3128||my-company-proxy.com in its log and a new CONNECT line in Squid's.
var ExternalHTTPSProxyTCPEntry = Scenario{
	Name:     "external-https-proxy-tcp-entry",
	Summary:  "HTTPS_PROXY traffic reaches the world through a corporate proxy once a TCP ServiceEntry for the proxy exists",
	Source:   `https://istio.io/v1.31/docs/tasks/traffic-management/egress/http-proxy/ (Istio 1.31 docs)`,
	Labels:   []Label{Core, HTTPSProxy, ServiceEntry, OutboundPolicy},
	Requires: Requires{Policy: RegistryOnly},
	Probes: []Probe{
		{Name: "plain-pod-tunnels-through-squid",
			From: PlainClient, URL: "https://{{.HTTPSHost}}/", ViaSquid: true,
			Expect: Converges(HTTPStatus(200), SquidTunnel("{{.HTTPSHost}}:443"), DestinationTLS("{{.HTTPSHost}}"))},
		{Name: "sidecar-blocked-without-proxy-entry",
			From: SidecarClient, URL: "https://{{.HTTPSHost}}/", ViaSquid: true,
			Expect: Holds(CurlExit(56), LogLine(Sidecar, LogMatch{Cluster: "BlackHoleCluster", TCP: true}), NoSquidTraffic(), NotSeenByDestination())},
		{Name: "sidecar-tunnels-with-tcp-proxy-entry",
			Apply: []string{"external_https_proxy_tcp_entry.yaml"},
			From:  SidecarClient, URL: "https://{{.HTTPSHost}}/", ViaSquid: true,
			Expect: Converges(HTTPStatus(200), SquidTunnel("{{.HTTPSHost}}:443"), DestinationTLS("{{.HTTPSHost}}"),
				LogLine(Sidecar, LogMatch{Cluster: "outbound|{{.ProxyPort}}||{{.ProxyHost}}", TCP: true}))},
	},
}
