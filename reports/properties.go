package reports

import (
	"sort"
)

// This file names and orders the run's properties for the sign-off.

// propertyOrder puts the sign-off's most important properties first; others follow by key.
var propertyOrder = []string{
	"istio-version", "istio-upgrade-to", "istio-hub", "istio-tag", "istioctl", "kind-node-image", "kubernetes-version", "mode", "data-plane", "proxy",
	"image-curl", "image-squid", "image-echo", "suite-commit", "run-id", "cluster", "cluster-created", "cluster-kept",
}

// PropertyTitle is the human name of a property key.
func PropertyTitle(key string) string {
	switch key {
	case "istio-version":
		return "Istio"
	case "istio-upgrade-to":
		return "Istio upgraded to (in place)"
	case "istio-hub":
		return "Istio image hub"
	case "istio-tag":
		return "Istio image tag"
	case "kind-node-image":
		return "Kubernetes (kind node image)"
	case "kubernetes-version":
		return "Kubernetes (the API server's version)"
	case "istioctl":
		return "istioctl that installed Istio"
	case "suite-commit":
		return "Suite commit"
	case "mode":
		return "Mode"
	case "data-plane":
		return "Envoy data plane"
	case "proxy":
		return "Proxy judged (egress gateway's /server_info)"
	case "image-curl":
		return "Client image (curl)"
	case "image-squid":
		return "Forward proxy image (Squid)"
	case "image-echo":
		return "Recording httpbin image"
	case "run-id":
		return "Run ID"
	case "cluster":
		return "Kind cluster"
	case "cluster-created":
		return "Cluster created by the run"
	case "cluster-kept":
		return "Cluster kept after the run"
	}
	return key
}

func sortProperties(ps []Property) {
	rank := func(k string) int {
		for i, o := range propertyOrder {
			if o == k {
				return i
			}
		}
		return len(propertyOrder)
	}
	sort.SliceStable(ps, func(i, j int) bool {
		ri, rj := rank(ps[i].Key), rank(ps[j].Key)
		if ri != rj {
			return ri < rj
		}
		return ps[i].Key < ps[j].Key
	})
}

// FillProperties adds the given properties to every suite that lacks them; properties
// the report already has win. The suite hook uses it so a run whose setup failed before
// the world existed still names its versions (from the configuration).
func (r *Run) FillProperties(props map[string]string) {
	for _, s := range r.Suites {
		for k, v := range props {
			if v == "" || s.Property(k) != "" {
				continue
			}
			s.Properties = append(s.Properties, Property{Key: k, Value: v})
		}
		sortProperties(s.Properties)
	}
}
