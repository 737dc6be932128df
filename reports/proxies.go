package reports

import (
	"fmt"
	"sort"
	"strings"

	"github.com/egressconformance/iec/reports/entry"
)

// proxySummary counts the proxies of specs by kind (sidecars: the scenarios' clients;
// gateways) and the version each reported to istiod, from the "proxies" entries
// (entry.ProxiesOf). A pod listed by several scenarios, such as the mesh's egress gateway,
// counts once. Entries of another shape (older reports: no reported version) are left out.
func proxySummary(specs []*Spec) string {
	pods := map[string]map[string]bool{} // "kind version" -> pods
	for _, sp := range specs {
		ps, _ := entry.ParseProxies(sp.Proxies)
		for _, p := range ps {
			reported := p.Reported
			if reported == "" {
				reported = "nothing"
			}
			kind := "gateways"
			if strings.HasSuffix(p.Role, " client") {
				kind = "sidecars"
			}
			key := kind + " " + reported
			if pods[key] == nil {
				pods[key] = map[string]bool{}
			}
			pods[key][p.Pod] = true
		}
	}
	keys := make([]string, 0, len(pods))
	for k := range pods {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s ×%d", k, len(pods[k]))
	}
	return strings.Join(parts, " · ")
}
