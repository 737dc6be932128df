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
				return fmt.Errorf("counter not read (is it included by proxyStatsMatcher?)")
			}
			if v.After < v.Before || v.After-v.Before != want {
				return fmt.Errorf("went from %d to %d", v.Before, v.After)
			}
			return nil
		}}
}

// CounterKey is how the runner stores a counter's readings in Observation.Counters.
func CounterKey(p fixtures.ProxyRef, renderedName string) string {
	return string(p) + "/" + renderedName
}

// GatewayIdentity: the egress gateway's certificates carry exactly this SPIFFE ID (template,
// "{{.GatewayIdentity}}"): the identity the sidecars verify on the ISTIO_MUTUAL hop.
func GatewayIdentity(uri string) Expectation {
	return check{name: "gateway certificate SAN is " + uri, needs: fixtures.Needs{GatewayCerts: true}, fn: func(o *fixtures.Observation) error {
		want, err := render(uri, o)
		if err != nil {
			return err
		}
		if len(o.GatewayCertSANs) == 0 {
			return fmt.Errorf("the gateway has no certificate with a URI SAN")
		}
		for _, san := range o.GatewayCertSANs {
			if san != want {
				return fmt.Errorf("the gateway presents %v", o.GatewayCertSANs)
			}
		}
		return nil
	}}
}
