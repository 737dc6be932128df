package expect

import (
	"fmt"
	"strings"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/parse"
)

// LogMatch selects access-log entries. Empty fields match anything. Cluster and SNI are
// templates over Vars ("outbound|80||{{.HTTPHost}}").
type LogMatch struct {
	Cluster      string // exact upstream cluster
	ResponseFlag string // one of the comma-separated flags, e.g. "UT"
	Status       int    // HTTP response code (0: any)
	SNI          string // requested server name (TCP/TLS lines)
	TCP          bool   // only TCP/TLS lines ("- - -")
	Authority    string // :authority (HTTP lines)
	Route        string // route name (%ROUTE_NAME%), e.g. "block_all"
	Details      string // response code details, e.g. "direct_response"
}

func (m LogMatch) String() string {
	var p []string
	if m.Cluster != "" {
		p = append(p, "cluster "+m.Cluster)
	}
	if m.Status != 0 {
		p = append(p, fmt.Sprintf("status %d", m.Status))
	}
	if m.ResponseFlag != "" {
		p = append(p, "flag "+m.ResponseFlag)
	}
	if m.SNI != "" {
		p = append(p, "SNI "+m.SNI)
	}
	if m.Authority != "" {
		p = append(p, "authority "+m.Authority)
	}
	if m.Route != "" {
		p = append(p, "route "+m.Route)
	}
	if m.Details != "" {
		p = append(p, "details "+m.Details)
	}
	if m.TCP {
		p = append(p, "TCP line")
	}
	return strings.Join(p, ", ")
}

func (m LogMatch) matches(e parse.AccessLogEntry, o *fixtures.Observation) (bool, error) {
	cluster, err := render(m.Cluster, o)
	if err != nil {
		return false, err
	}
	sni, err := render(m.SNI, o)
	if err != nil {
		return false, err
	}
	auth, err := render(m.Authority, o)
	if err != nil {
		return false, err
	}
	if cluster != "" && e.UpstreamCluster != cluster {
		return false, nil
	}
	if m.Status != 0 && e.ResponseCode != m.Status {
		return false, nil
	}
	if m.ResponseFlag != "" && !hasFlag(e.ResponseFlags, m.ResponseFlag) {
		return false, nil
	}
	if sni != "" && e.RequestedServerName != sni {
		return false, nil
	}
	if auth != "" && e.Authority != auth {
		return false, nil
	}
	if m.TCP && !e.IsTCP() {
		return false, nil
	}
	if m.Route != "" && e.RouteName != m.Route {
		return false, nil
	}
	if m.Details != "" && e.ResponseCodeDetails != m.Details {
		return false, nil
	}
	return true, nil
}

func hasFlag(flags, f string) bool {
	for _, x := range strings.Split(flags, ",") {
		if x == f {
			return true
		}
	}
	return false
}

func logOf(p fixtures.ProxyRef, o *fixtures.Observation) []parse.AccessLogEntry {
	if p == fixtures.Gateway {
		return o.GatewayLog
	}
	return o.SidecarLog
}

func logNeeds(p fixtures.ProxyRef) fixtures.Needs {
	if p == fixtures.Gateway {
		return fixtures.Needs{GatewayLog: true}
	}
	return fixtures.Needs{SidecarLog: true}
}

// LogLine: the proxy's access log, from the probe's start on, has a matching line.
func LogLine(p fixtures.ProxyRef, m LogMatch) Expectation {
	return check{name: fmt.Sprintf("%s access log has a line with %s", p, m), needs: logNeeds(p), fn: func(o *fixtures.Observation) error {
		entries := logOf(p, o)
		for _, e := range entries {
			ok, err := m.matches(e, o)
			if err != nil {
				return err
			}
			if ok {
				return nil
			}
		}
		return fmt.Errorf("none of %d new lines match%s", len(entries), sample(entries))
	}}
}

// NoLogLine: no matching line (e.g. the sidecar never used the passthrough path).
func NoLogLine(p fixtures.ProxyRef, m LogMatch) Expectation {
	return check{name: fmt.Sprintf("%s access log has no line with %s", p, m), needs: logNeeds(p), fn: func(o *fixtures.Observation) error {
		for _, e := range logOf(p, o) {
			ok, err := m.matches(e, o)
			if err != nil {
				return err
			}
			if ok {
				return fmt.Errorf("found %q", clip(e.Raw))
			}
		}
		return nil
	}}
}

func sample(entries []parse.AccessLogEntry) string {
	if len(entries) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("; lines seen:")
	for i, e := range entries {
		if i == 5 {
			fmt.Fprintf(&b, "\n  … %d more", len(entries)-5)
			break
		}
		b.WriteString("\n  " + clip(e.Raw))
	}
	return b.String()
}

// CounterDelta: an Envoy counter rose by exactly want during the probe. Name is a template
// ("cluster.outbound|443||{{.HTTPSHost}}.upstream_cx_total"); it must be included by the
// install's proxyStatsMatcher, or it never appears.
func CounterDelta(p fixtures.ProxyRef, name string, want uint64) Expectation {
	c := fixtures.Counter{Proxy: p, Name: name}
	return check{name: fmt.Sprintf("%s counter %s rose by %d", p, name, want), needs: fixtures.Needs{Counters: []fixtures.Counter{c}},
		fn: func(o *fixtures.Observation) error {
			n, err := render(name, o)
			if err != nil {
				return err
			}
			v, ok := o.Counters[string(p)+"/"+n]
			if !ok {
				return fmt.Errorf("counter not read: the runner did not collect it")
			}
			if !v.Found {
				return fmt.Errorf("the %s's /stats has no counter %s after the request: it is not included by proxyStatsMatcher (a proxy reads the matcher when it starts: a gateway of a reused cluster may predate it) or the name is wrong", p, n)
			}
			if v.After < v.Before || v.After-v.Before != want {
				return fmt.Errorf("went from %d to %d", v.Before, v.After)
			}
			return nil
		}}
}

// BlackHoleRoute matches the sidecar's line for plain HTTP to a host outside its registry
// under REGISTRY_ONLY. The docs ("Change to the blocking-by-default policy") and Istio's
// metrics (destination_service_name="BlackHoleCluster") call it the BlackHole cluster, but no
// cluster is involved: istiod answers from the catch-all virtual host "block_all" with a
// direct 502 (istio.io/istio pilot/pkg/networking/core/httproute.go, util.BlackHole), so the
// proxy's access log shows status 502, details direct_response, route block_all and
// upstream cluster "-" (a live line: harness/parse/testdata/envoy-1.39.3-sidecar-access.log).
var BlackHoleRoute = LogMatch{Status: 502, Route: "block_all", Details: "direct_response"}

// ClusterStat is the name of an upstream cluster's counter in a proxy's /stats, for
// CounterDelta: "cluster.<cluster>;.<stat>". istiod gives every cluster an alt_stat_name of
// its name plus Istio's stat-prefix delimiter ";" (istio.io/istio
// pilot/pkg/networking/core/cluster_builder.go, util.DelimitedStatsPrefix), which Istio's tag
// extraction turns into the cluster_name label of the Prometheus metric; the text /stats keep
// it (a live gateway printed "cluster.outbound|443||secure.egress.test;.upstream_cx_total: 3";
// harness/parse/testdata/envoy-1.39.3-gateway-stats.txt). cluster is a template over Vars.
func ClusterStat(cluster, stat string) string {
	return "cluster." + cluster + ";." + stat
}

// GatewayHop: the probe's request crossed the sidecar → egress gateway hop on one connection,
// as the gateway's TLS server saw it: the sidecar's line for cluster (its route to the
// gateway) and a gateway line whose downstream peer is that line's upstream local address
// (the same TCP connection) and whose SNI is sni. With the scenario's gateway server in
// ISTIO_MUTUAL mode, which completes no handshake without a client certificate from the mesh
// CA, that is the mutual-TLS hop itself — the gateway's own certificate (Envoy /certs) is
// there on any install and proves nothing about the hop. cluster and sni are templates.
func GatewayHop(cluster, sni string) Expectation {
	name := fmt.Sprintf("one connection from the sidecar (cluster %s) to the gateway, which saw SNI %s", cluster, sni)
	return check{name: name, needs: fixtures.Needs{SidecarLog: true, GatewayLog: true}, fn: func(o *fixtures.Observation) error {
		c, err := render(cluster, o)
		if err != nil {
			return err
		}
		want, err := render(sni, o)
		if err != nil {
			return err
		}
		var froms []string
		for _, s := range o.SidecarLog {
			if s.UpstreamCluster != c || s.UpstreamLocalAddress == "" || s.UpstreamLocalAddress == "-" {
				continue
			}
			froms = append(froms, s.UpstreamLocalAddress)
			for _, g := range o.GatewayLog {
				if g.DownstreamRemoteAddress == s.UpstreamLocalAddress && g.RequestedServerName == want {
					return nil
				}
			}
		}
		if len(froms) == 0 {
			return fmt.Errorf("the sidecar logged no line for cluster %s%s", c, sample(o.SidecarLog))
		}
		return fmt.Errorf("no gateway line from %v with SNI %s%s", froms, want, sample(o.GatewayLog))
	}}
}
