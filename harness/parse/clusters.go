package parse

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// Clusters is Envoy's admin /clusters text output (`pilot-agent request GET clusters`),
// keyed by cluster name, e.g. "outbound|443||www.wikipedia.org".
type Clusters map[string]*Cluster

// Cluster is one cluster's block of /clusters lines.
type Cluster struct {
	Name string
	// Attrs holds cluster-level lines: "name::observability_name::x" (key
	// "observability_name"), "name::added_via_api::true", "name::eds_service_name::x",
	// "name::default_priority::max_connections::1024" (key "default_priority::max_connections"),
	// likewise "high_priority::…" and "outlier::…".
	Attrs map[string]string
	// Hosts maps a host address as Envoy prints it ("10.0.0.1:443", "[2001:db8::1]:443",
	// a unix path, "envoy://…") to its stats and attributes: "cx_total" -> "2",
	// "hostname" -> "www.wikipedia.org", "health_flags" -> "healthy", …
	Hosts map[string]map[string]string
}

// Cluster-level keys that take one more "::"-separated component (the resource or
// outlier statistic) before the value.
var twoLevelAttrs = map[string]bool{"default_priority": true, "high_priority": true, "outlier": true}

// Cluster-level keys whose value is everything after them.
var oneLevelAttrs = map[string]bool{"observability_name": true, "added_via_api": true, "eds_service_name": true}

// Host lines whose values are not unsigned counters/gauges. Every other host key must
// carry a uint64, which is what keeps HostCounter honest.
var nonNumericHostKeys = map[string]bool{
	"hostname": true, "health_flags": true, "region": true, "zone": true, "sub_zone": true,
	"canary": true, "success_rate": true, "local_origin_success_rate": true,
}

// ParseClusters parses Envoy /clusters text. Each non-blank line is
// "<cluster>::<rest>", where rest is a cluster-level attribute or
// "<host address>::<stat>::<value>".
//
// Splitting: "::" also occurs inside IPv6 host addresses ("[2001:db8::1]:443") and
// could occur in a cluster name, so the cluster name is not simply the text before the
// first "::". Instead each "::" is tried from the left, and the first one whose
// remainder is a well-formed attribute or host line ends the cluster name. Host
// addresses are recognised as "<ipv4>:<port>" / "[<ipv6>]:<port>" (checked with
// net/netip), a pipe path (anything containing '/', e.g. Istio's "./etc/istio/proxy/XDS"),
// "@abstract" or "envoy://internal/…". If nothing matches,
// an identifier followed by "::value" after the first "::" is kept as an unknown
// attribute; any other line is an error.
func ParseClusters(r io.Reader) (Clusters, error) {
	cs := Clusters{}
	err := eachNonBlankLine("envoy clusters", r, func(line string) error {
		p, err := splitClusterLine(line)
		if err != nil {
			return err
		}
		c := cs[p.cluster]
		if c == nil {
			c = &Cluster{Name: p.cluster, Attrs: map[string]string{}, Hosts: map[string]map[string]string{}}
			cs[p.cluster] = c
		}
		if p.host == "" {
			c.Attrs[p.key] = p.value
			return nil
		}
		if !nonNumericHostKeys[p.key] {
			if _, err := strconv.ParseUint(p.value, 10, 64); err != nil {
				return fmt.Errorf("host stat %q has non-numeric value %q", p.key, truncate(p.value))
			}
		}
		h := c.Hosts[p.host]
		if h == nil {
			h = map[string]string{}
			c.Hosts[p.host] = h
		}
		h[p.key] = p.value
		return nil
	})
	if err != nil {
		return nil, err
	}
	return cs, nil
}

// HostCounter sums a numeric host stat (e.g. "cx_total", "rq_total") over every host
// of a cluster; ok=false when the cluster is absent. Hosts without the stat add 0.
// The sum saturates at math.MaxUint64 instead of wrapping.
func (c Clusters) HostCounter(cluster, stat string) (total uint64, ok bool) {
	cl, ok := c[cluster]
	if !ok || cl == nil {
		return 0, false
	}
	for _, h := range cl.Hosts {
		v, err := strconv.ParseUint(h[stat], 10, 64)
		if err != nil {
			continue // absent, or a non-numeric attribute such as "hostname"
		}
		if total > math.MaxUint64-v {
			return math.MaxUint64, true
		}
		total += v
	}
	return total, true
}

type clusterLine struct {
	cluster, host, key, value string // host == "" for cluster-level attributes
}

func splitClusterLine(line string) (clusterLine, error) {
	for off := 0; ; {
		i := strings.Index(line[off:], "::")
		if i < 0 {
			break
		}
		sep := off + i
		if sep > 0 {
			if p, ok := parseClusterRest(line[sep+2:]); ok {
				p.cluster = line[:sep]
				return p, nil
			}
		}
		off = sep + 1
	}
	// Fallback: an attribute this parser does not know, "<cluster>::<ident>::<value>".
	if sep := strings.Index(line, "::"); sep > 0 {
		key, value, found := strings.Cut(line[sep+2:], "::")
		if found && isIdent(key) && !oneLevelAttrs[key] && !twoLevelAttrs[key] {
			return clusterLine{cluster: line[:sep], key: key, value: value}, nil
		}
	}
	return clusterLine{}, errors.New(`not "<cluster>::<attribute>::<value>" or "<cluster>::<host>::<stat>::<value>"`)
}

// parseClusterRest recognises what follows "<cluster>::".
func parseClusterRest(rest string) (clusterLine, bool) {
	first, after, found := strings.Cut(rest, "::")
	if !found {
		return clusterLine{}, false
	}
	if oneLevelAttrs[first] {
		return clusterLine{key: first, value: after}, true
	}
	if twoLevelAttrs[first] {
		sub, value, found := strings.Cut(after, "::")
		if !found || !isIdent(sub) {
			return clusterLine{}, false
		}
		return clusterLine{key: first + "::" + sub, value: value}, true
	}
	host, after, ok := cutHostAddress(rest)
	if !ok {
		return clusterLine{}, false
	}
	key, value, found := strings.Cut(after, "::")
	if !found || !isIdent(key) {
		return clusterLine{}, false
	}
	return clusterLine{host: host, key: key, value: value}, true
}

// maxIPv6Bracket bounds the search for the "]:" closing an IPv6 literal (the longest
// one, with a zone, is far shorter).
const maxIPv6Bracket = 128

// cutHostAddress splits "<address>::<rest>" where address is one of Envoy's
// Address::asString() forms.
func cutHostAddress(s string) (addr, rest string, ok bool) {
	if strings.HasPrefix(s, "[") { // IPv6: "[2001:db8::1]:443" or "[fe80::1%eth0]:443"
		head := s[:min(len(s), maxIPv6Bracket)] // bounded, so a line of many "::[" stays linear
		end := strings.Index(head, "]:")
		if end < 0 {
			return "", "", false
		}
		a, r, found := strings.Cut(s[end+2:], "::")
		if !found {
			return "", "", false
		}
		addr = s[:end+2] + a
		if _, err := netip.ParseAddrPort(addr); err != nil {
			return "", "", false
		}
		return addr, r, true
	}
	addr, rest, found := strings.Cut(s, "::")
	if !found || addr == "" {
		return "", "", false
	}
	// Pipes print their path, which Istio makes relative ("./etc/istio/proxy/XDS");
	// abstract sockets start with '@'; internal addresses are "envoy://listener/id".
	if strings.Contains(addr, "/") || strings.HasPrefix(addr, "@") {
		return addr, rest, true
	}
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || !ap.Addr().Is4() {
		return "", "", false
	}
	return addr, rest, true
}

// isIdent reports a stat or attribute name: non-empty [A-Za-z0-9_.].
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
