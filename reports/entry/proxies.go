package entry

import (
	"fmt"
	"strings"
)

// ProxyRelease is one proxy of a "proxies" entry: which build it runs, as the suite found it.
type ProxyRelease struct {
	// Role is "sidecar client", "peer-sidecar client" or "gateway".
	Role string
	// Pod is namespace/name.
	Pod string
	// Release is the release its image's tag names, or why none ("unknown release (image …)").
	Release string
	// Reported is the version the proxy itself reports to istiod ("" when it reports none).
	Reported string
}

// notReported stands for an empty Reported in the entry's text.
const notReported = "nothing (not listed by istioctl proxy-status)"

// String is "ROLE NS/POD: RELEASE, reports VERSION" (ParseProxyRelease reads it back).
func (p ProxyRelease) String() string {
	rep := p.Reported
	if rep == "" {
		rep = notReported
	}
	return fmt.Sprintf("%s %s: %s, reports %s", p.Role, p.Pod, p.Release, rep)
}

const proxySep = "; "

// ProxiesOf is the "proxies" entry of one scenario: its proxies, each as String writes it.
func ProxiesOf(ps []ProxyRelease) Entry {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return New(Proxies, strings.Join(lines, proxySep))
}

// ParseProxies reads "proxies" entries back, one ProxyRelease per proxy; unreadable are the
// parts of another shape (older reports: no reported version).
func ParseProxies(values []string) (ps []ProxyRelease, unreadable []string) {
	for _, v := range values {
		for _, one := range strings.Split(v, proxySep) {
			if p, ok := ParseProxyRelease(one); ok {
				ps = append(ps, p)
			} else {
				unreadable = append(unreadable, one)
			}
		}
	}
	return ps, unreadable
}

// ParseProxyRelease reads one proxy as String wrote it; ok is false for text of another shape.
func ParseProxyRelease(s string) (p ProxyRelease, ok bool) {
	head, rest, ok := strings.Cut(s, ": ")
	if !ok {
		return ProxyRelease{}, false
	}
	i := strings.LastIndex(head, " ")
	rel, rep, ok := strings.Cut(rest, ", reports ")
	if i < 0 || !ok {
		return ProxyRelease{}, false
	}
	if strings.HasPrefix(rep, "nothing ") {
		rep = ""
	}
	return ProxyRelease{Role: head[:i], Pod: head[i+1:], Release: rel, Reported: rep}, true
}
