package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"
)

// ManagedLabelKey/ManagedLabelValue mark every node of a cluster this suite creates (a
// Kubernetes node label, passed to kubeadm as --node-labels). Kind gives no way to put our own
// label on the node containers, so ownership of an existing cluster is read back from the
// node's kubeadm configuration (see owned). The label also lets a sweep recognise the nodes.
const (
	ManagedLabelKey   = "egress-conformance/cluster"
	ManagedLabelValue = "managed"
)

// KubeletAllowCgroupV1 is the kubelet patch a cgroup v1 host needs from Kubernetes 1.35 on
// (kubelet refuses cgroup v1 by default): DefaultConfig(KubeletAllowCgroupV1).
const KubeletAllowCgroupV1 = "failCgroupV1: false"

// DefaultConfig returns a kind v1alpha4 Cluster config with one control-plane node carrying
// the ManagedLabelKey label. Each extra patch is a kubeadm config patch: a fragment of
// KubeletConfiguration fields such as "failCgroupV1: false" is wrapped as a
// KubeletConfiguration patch; a complete patch document (one with a top-level "kind:") is
// used as it is, so other kubeadm objects (ClusterConfiguration, InitConfiguration) can be
// patched too. Patches are not validated here; kind reports a bad one when it creates the
// cluster.
func DefaultConfig(extraKubeletPatches ...string) []byte {
	cfg := v1alpha4.Cluster{
		TypeMeta: v1alpha4.TypeMeta{Kind: "Cluster", APIVersion: "kind.x-k8s.io/v1alpha4"},
		Nodes: []v1alpha4.Node{{
			Role:   v1alpha4.ControlPlaneRole,
			Labels: map[string]string{ManagedLabelKey: ManagedLabelValue},
		}},
	}
	for _, p := range extraKubeletPatches {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !hasTopLevelKind(p) {
			p = "kind: KubeletConfiguration\n" + p
		}
		cfg.KubeadmConfigPatches = append(cfg.KubeadmConfigPatches, p+"\n")
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(&cfg); err != nil {
		// Only plain strings and maps go in: encoding cannot fail.
		panic(fmt.Sprintf("cluster.DefaultConfig: encoding kind config: %v", err))
	}
	_ = enc.Close()
	return buf.Bytes()
}

func hasTopLevelKind(doc string) bool {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
		return false
	}
	_, ok := m["kind"]
	return ok
}

// parseConfig decodes a kind v1alpha4 Cluster config as strictly as kind does (unknown
// fields are errors), applies kind's defaults and marks every node as ours. nil or empty
// input means DefaultConfig().
func parseConfig(raw []byte) (*v1alpha4.Cluster, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		raw = DefaultConfig()
	}
	var tm v1alpha4.TypeMeta
	if err := yaml.Unmarshal(raw, &tm); err != nil {
		return nil, fmt.Errorf("the kind config is not valid YAML: %v: fix the file given with EGRESS_KIND_CONFIG", err)
	}
	if tm.APIVersion != "kind.x-k8s.io/v1alpha4" || tm.Kind != "Cluster" {
		return nil, fmt.Errorf("the kind config has apiVersion %q, kind %q: want apiVersion kind.x-k8s.io/v1alpha4, kind Cluster (the only version kind v0.33 reads)", tm.APIVersion, tm.Kind)
	}
	cfg := &v1alpha4.Cluster{}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil {
		return nil, fmt.Errorf("the kind config is not a valid kind v1alpha4 Cluster: %v: see https://kind.sigs.k8s.io/docs/user/configuration/", err)
	}
	v1alpha4.SetDefaultsCluster(cfg)
	for i := range cfg.Nodes {
		if cfg.Nodes[i].Labels == nil {
			cfg.Nodes[i].Labels = map[string]string{}
		}
		cfg.Nodes[i].Labels[ManagedLabelKey] = ManagedLabelValue
	}
	return cfg, nil
}

// requiredImages lists the node images a create needs: the Spec's NodeImage overrides every
// node's image (kind's CreateWithNodeImage), otherwise each node's own (defaulted) image.
func requiredImages(nodeImage string, cfg *v1alpha4.Cluster) []string {
	if nodeImage != "" {
		return []string{nodeImage}
	}
	seen := map[string]bool{}
	var out []string
	for _, n := range cfg.Nodes {
		if !seen[n.Image] {
			seen[n.Image] = true
			out = append(out, n.Image)
		}
	}
	return out
}

// validateName applies kind's rule for cluster names, with our setting in the message.
func validateName(name string) error {
	if name == "" {
		return errors.New("the kind cluster name is empty: set EGRESS_CLUSTER_NAME")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-') {
			return fmt.Errorf("%q is not a valid kind cluster name (lower-case letters, digits, '.' and '-' only): change EGRESS_CLUSTER_NAME", name)
		}
	}
	return nil
}
