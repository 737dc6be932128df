package cluster

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	yaml "go.yaml.in/yaml/v3"
	"sigs.k8s.io/kind/pkg/apis/config/defaults"
	"sigs.k8s.io/kind/pkg/apis/config/v1alpha4"

	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/internal/testkit"
)

func TestDefaultConfigParsesAsKindConfig(t *testing.T) {
	raw := DefaultConfig()
	// Decode exactly as kind does: strict v1alpha4.
	var cfg v1alpha4.Cluster
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatalf("DefaultConfig is not a strict kind v1alpha4 config: %v\n%s", err, raw)
	}
	if cfg.Kind != "Cluster" || cfg.APIVersion != "kind.x-k8s.io/v1alpha4" {
		t.Fatalf("type meta = %+v", cfg.TypeMeta)
	}
	if len(cfg.Nodes) != 1 || cfg.Nodes[0].Role != v1alpha4.ControlPlaneRole {
		t.Fatalf("nodes = %+v, want one control-plane node", cfg.Nodes)
	}
	if got := cfg.Nodes[0].Labels[ManagedLabelKey]; got != ManagedLabelValue {
		t.Fatalf("node label %s = %q, want %q", ManagedLabelKey, got, ManagedLabelValue)
	}
	if len(cfg.KubeadmConfigPatches) != 0 {
		t.Fatalf("unexpected patches %q", cfg.KubeadmConfigPatches)
	}
}

func TestDefaultConfigPatches(t *testing.T) {
	full := "kind: ClusterConfiguration\napiServer:\n  extraArgs:\n    v: \"2\""
	raw := DefaultConfig(KubeletAllowCgroupV1, "  ", full)
	cfg, err := parseConfig(raw)
	if err != nil {
		t.Fatalf("parseConfig(DefaultConfig(...)): %v\n%s", err, raw)
	}
	if len(cfg.KubeadmConfigPatches) != 2 {
		t.Fatalf("patches = %q, want 2 (blank one dropped)", cfg.KubeadmConfigPatches)
	}
	var p0 map[string]any
	if err := yaml.Unmarshal([]byte(cfg.KubeadmConfigPatches[0]), &p0); err != nil {
		t.Fatal(err)
	}
	if p0["kind"] != "KubeletConfiguration" || p0["failCgroupV1"] != false {
		t.Fatalf("kubelet patch = %v, want kind KubeletConfiguration and failCgroupV1 false", p0)
	}
	if strings.TrimSpace(cfg.KubeadmConfigPatches[1]) != full {
		t.Fatalf("full patch changed: %q", cfg.KubeadmConfigPatches[1])
	}
}

func TestParseConfig(t *testing.T) {
	cfg, err := parseConfig(nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Nodes) != 1 || cfg.Nodes[0].Image != defaults.Image {
		t.Fatalf("nil config: nodes = %+v, want one node with kind's default image", cfg.Nodes)
	}
	// A user config without our label gets it on every node.
	user := []byte("kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodes:\n- role: control-plane\n  image: lab/kind-node:v1\n- role: worker\n  image: lab/kind-node:v1\n")
	cfg, err = parseConfig(user)
	if err != nil {
		t.Fatal(err)
	}
	for i, n := range cfg.Nodes {
		if n.Labels[ManagedLabelKey] != ManagedLabelValue {
			t.Errorf("node %d lacks the managed label: %+v", i, n)
		}
	}
	if got := requiredImages("", cfg); !slices.Equal(got, []string{"lab/kind-node:v1"}) {
		t.Errorf("requiredImages = %v", got)
	}
	if got := requiredImages("other:v2", cfg); !slices.Equal(got, []string{"other:v2"}) {
		t.Errorf("requiredImages(NodeImage) = %v", got)
	}

	for _, c := range []struct {
		name, raw string
		want      []string
	}{
		{"wrong version", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha3\n", []string{"v1alpha3", "kind.x-k8s.io/v1alpha4"}},
		{"unknown field", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\nnodez: []\n", []string{"not a valid kind v1alpha4 Cluster", "nodez"}},
		{"not yaml", "kind: [\n", []string{"not valid YAML", "EGRESS_KIND_CONFIG"}},
	} {
		_, err := parseConfig([]byte(c.raw))
		testkit.ErrorMentions(t, c.name, err, c.want...)
	}
}

func TestValidateName(t *testing.T) {
	if err := validateName("egress-1.x"); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"", "My_Cluster", "a b"} {
		if err := validateName(n); err == nil || !strings.Contains(err.Error(), "EGRESS_CLUSTER_NAME") {
			t.Errorf("validateName(%q) = %v, want an error naming EGRESS_CLUSTER_NAME", n, err)
		}
	}
}

func requireDocker(t *testing.T) {
	t.Helper()
	if err := dockerx.Ping(context.Background()); err != nil {
		t.Skipf("needs a running Docker engine: %v", err)
	}
}

func TestPreflightMissingImage(t *testing.T) {
	requireDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	id := testkit.Suffix(t)
	img := "iec-test/no-such-node-image:v0.0.0-" + id
	err := Preflight(ctx, Spec{Name: "iec-preflight-" + id, NodeImage: img})
	if err == nil {
		t.Fatal("Preflight with a missing node image gave no error")
	}
	for _, want := range []string{img, "docker pull " + img, "docker load -i", NodeImageEnv} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	// kind's default image, pinned by digest, gets the digest hint (it is absent here, and on
	// a machine where it was pulled the test still passes through the other branch).
	err = Preflight(ctx, Spec{Name: "iec-preflight-" + id})
	if err != nil && !strings.Contains(err.Error(), "pinned by digest") {
		t.Errorf("error for the digest-pinned default image lacks the digest hint: %v", err)
	}
}

func TestPreflightUnreachableDocker(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	err := Preflight(context.Background(), Spec{Name: "iec-preflight", NodeImage: "x:y"})
	if err == nil || !strings.Contains(err.Error(), "DOCKER_HOST") || !strings.Contains(err.Error(), "not reachable") {
		t.Fatalf("Preflight with no Docker = %v, want the unreachable-engine error", err)
	}
	var ue *dockerx.UnreachableError
	if !errors.As(err, &ue) {
		t.Fatalf("error is %T, want it to wrap *dockerx.UnreachableError", err)
	}
}

func TestPreflightBadInput(t *testing.T) {
	if err := Preflight(context.Background(), Spec{Name: "Bad_Name"}); err == nil || !strings.Contains(err.Error(), "EGRESS_CLUSTER_NAME") {
		t.Fatalf("bad name: %v", err)
	}
	requireDocker(t)
	err := Preflight(context.Background(), Spec{Name: "iec-x", ConfigYAML: []byte("kind: Cluster\napiVersion: v9\n")})
	if err == nil || !strings.Contains(err.Error(), "kind.x-k8s.io/v1alpha4") {
		t.Fatalf("bad config: %v", err)
	}
}

// fakeNode makes a stopped container that kind lists as the control-plane node of cluster
// name (kind identifies clusters by container labels only). It is never started.
func fakeNode(t *testing.T, name string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := client.New(client.FromEnv)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ref := "iec-test/cluster-empty:" + testkit.Suffix(t)
	var buf bytes.Buffer
	if err := tar.NewWriter(&buf).Close(); err != nil {
		t.Fatal(err)
	}
	rc, err := c.ImageImport(ctx, client.ImageImportSource{Source: &buf, SourceName: "-"}, ref, client.ImageImportOptions{})
	if err != nil {
		t.Fatalf("importing %s: %v", ref, err)
	}
	_, _ = io.ReadAll(rc)
	rc.Close()
	node := name + "-control-plane"
	if _, err := c.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name: node,
		Config: &container.Config{Image: ref, Cmd: []string{"/nothing"}, Labels: map[string]string{
			"io.x-k8s.kind.cluster": name,
			"io.x-k8s.kind.role":    "control-plane",
		}},
	}); err != nil {
		t.Fatalf("creating fake node: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_, _ = c.ContainerRemove(ctx, node, client.ContainerRemoveOptions{Force: true})
		_, _ = c.ImageRemove(ctx, ref, client.ImageRemoveOptions{Force: true, PruneChildren: true})
	})
}

func TestForeignClusterNameAndDelete(t *testing.T) {
	requireDocker(t)
	// kind edits a kubeconfig on delete: keep it away from the user's.
	kc := filepath.Join(t.TempDir(), "kubeconfig")
	t.Setenv("KUBECONFIG", kc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	name := "iec-foreign-" + testkit.Suffix(t)
	fakeNode(t, name)

	names, err := List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(names, name) {
		t.Fatalf("List = %v, want it to contain %s", names, name)
	}

	err = Preflight(ctx, Spec{Name: name, NodeImage: "iec-test/irrelevant:v0"})
	if err == nil {
		t.Fatal("Preflight accepted a name taken by a cluster we did not create")
	}
	for _, want := range []string{"already exists and was not created by this suite", "kind delete cluster --name " + name, ReuseEnv + "=true"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}

	// Reuse skips the image check (the nodes exist) ...
	if err := Preflight(ctx, Spec{Name: name, NodeImage: "iec-test/irrelevant:v0", Reuse: true}); err != nil {
		t.Fatalf("Preflight with Reuse: %v", err)
	}
	// ... but a stopped node cannot give its kubeconfig: Ensure says what to do.
	_, err = Ensure(ctx, Spec{Name: name, Reuse: true}, t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "is its node container running") {
		t.Fatalf("Ensure(reuse a stopped cluster) = %v, want the node-not-running hint", err)
	}

	if err := Delete(ctx, name); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if err := Delete(ctx, name); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	names, err = List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(names, name) {
		t.Fatalf("List after Delete = %v, still contains %s", names, name)
	}
	if err := ExportLogs(ctx, name, t.TempDir()); err == nil || !strings.Contains(err.Error(), "no kind cluster named") {
		t.Fatalf("ExportLogs of a deleted cluster = %v", err)
	}
}

func TestDeleteUnknownCluster(t *testing.T) {
	requireDocker(t)
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "kubeconfig"))
	if err := Delete(context.Background(), "iec-never-existed-"+testkit.Suffix(t)); err != nil {
		t.Fatalf("Delete of a cluster that never existed: %v", err)
	}
}

func TestCancelledContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := List(ctx); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("List(cancelled) = %v, want context.Canceled", err)
	}
}

func TestEnsureArguments(t *testing.T) {
	if _, err := Ensure(context.Background(), Spec{Name: "iec-x"}, ""); err == nil || !strings.Contains(err.Error(), "kubeconfig directory") {
		t.Fatalf("Ensure with no kubeconfig dir: %v", err)
	}
	f := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(f, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Ensure(context.Background(), Spec{Name: "iec-x"}, filepath.Join(f, "sub")); err == nil || !strings.Contains(err.Error(), f) {
		t.Fatalf("Ensure with an unusable kubeconfig dir: %v", err)
	}
}

// NodesReady reads kubectl's jsonpath output of the Ready condition per node.
func TestNodesReady(t *testing.T) {
	for out, want := range map[string]bool{
		"egr-control-plane=True ":                  true,
		"egr-control-plane=True egr-worker=True":   true,
		"egr-control-plane=True egr-worker=False ": false,
		"egr-control-plane=Unknown ":               false,
		"egr-control-plane= ":                      false, // no Ready condition yet
		"":                                         false, // no node registered yet
		"   ":                                      false,
		"=True":                                    false,
		"egr-control-plane=True egr-worker":        false,
		"egr-control-plane=True\negr-worker=True\n": true,
		"egr-control-plane=true":                    false,
		"egr-control-plane=True=True":               false,
	} {
		if got := NodesReady(out); got != want {
			t.Errorf("NodesReady(%q) = %v, want %v", out, got, want)
		}
	}
}

func TestEnsureCancelledBeforeCreating(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Ensure(ctx, Spec{Name: "iec-x"}, t.TempDir()); err == nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Ensure(cancelled) = %v, want context.Canceled", err)
	}
}
