//go:build l3

// L3: a real kind cluster on the local Docker engine, created and deleted through this
// package, from a node image built offline (scripts/lab/node/build-node-image.sh). Run:
//
//	EGRESS_KIND_NODE_IMAGE=egress-lab/kind-node:v1.36.3 \
//	EGRESS_KIND_CONFIG=scripts/lab/node/kind-config.yaml \
//	go test -tags l3 -run L3 -v ./harness/cluster/
//
// On hosts whose capability bounding set lacks CAP_SYS_RESOURCE, dockerd needs the runc
// wrapper of .ci/docker-up.sh for kind's privileged node containers.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
)

// KindConfigEnv names the kind config file the L3 test uses (relative paths are tried from
// the working directory, then from the module root).
const KindConfigEnv = "EGRESS_KIND_CONFIG"

func TestL3LabClusterLifecycle(t *testing.T) {
	image := os.Getenv(NodeImageEnv)
	if image == "" {
		t.Fatalf("%s is not set: build the lab node image (scripts/lab/node/build-node-image.sh) and set %s=egress-lab/kind-node:v1.36.3",
			NodeImageEnv, NodeImageEnv)
	}
	cfgPath := os.Getenv(KindConfigEnv)
	if cfgPath == "" {
		t.Fatalf("%s is not set: set it to scripts/lab/node/kind-config.yaml", KindConfigEnv)
	}
	cfgYAML, err := os.ReadFile(resolveFromModuleRoot(t, cfgPath))
	if err != nil {
		t.Fatalf("reading the kind config (%s): %v", KindConfigEnv, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	name := "egr-l3-" + randomSuffix(t)
	// Before the cleanup below, so that it is removed after the cluster is deleted.
	kubeconfigDir := t.TempDir()
	deleted := false
	t.Cleanup(func() {
		if deleted {
			return
		}
		if t.Failed() {
			// $EGRESS_ARTIFACTS (set by the Makefile) keeps the logs; without it, -artifacts does.
			dir := t.ArtifactDir()
			if a := os.Getenv("EGRESS_ARTIFACTS"); a != "" {
				dir = filepath.Join(resolveFromModuleRoot(t, a), "kind-logs-"+name)
			}
			if err := ExportLogs(context.Background(), name, dir); err != nil {
				t.Logf("exporting the cluster's logs: %v", err)
			} else {
				t.Logf("kind logs of %s exported to %s", name, dir)
			}
		}
		dctx, dcancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer dcancel()
		if err := Delete(dctx, name); err != nil {
			t.Errorf("cleanup: %v", err)
		}
	})

	start := time.Now()
	c, err := Ensure(ctx, Spec{
		Name:       name,
		NodeImage:  image,
		ConfigYAML: cfgYAML,
		WaitReady:  3 * time.Minute,
		Log:        t.Output(),
	}, kubeconfigDir)
	if err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	t.Logf("cluster %s created in %s (kubeconfig %s)", c.Name, time.Since(start).Round(100*time.Millisecond), c.KubeconfigPath)
	if !c.Created || c.Name != name {
		t.Fatalf("Ensure returned %+v, want a newly created cluster %q", c, name)
	}

	names, err := List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if !slices.Contains(names, name) {
		t.Fatalf("List = %v after Ensure, want it to contain %q", names, name)
	}

	restCfg, err := clientcmd.BuildConfigFromFlags("", c.KubeconfigPath)
	if err != nil {
		t.Fatalf("loading the kubeconfig %s: %v", c.KubeconfigPath, err)
	}
	cs, err := kubernetes.NewForConfig(restCfg)
	if err != nil {
		t.Fatalf("client-go: %v", err)
	}
	if v, err := cs.Discovery().ServerVersion(); err != nil {
		t.Fatalf("server version: %v", err)
	} else {
		t.Logf("server version %s", v.GitVersion)
		if tag := image[strings.LastIndex(image, ":")+1:]; strings.HasPrefix(tag, "v1.") && !strings.HasPrefix(v.GitVersion, tag) {
			t.Errorf("server version %s, want %s (the node image's tag)", v.GitVersion, tag)
		}
	}

	waitFor(ctx, t, 2*time.Minute, "the node to be Ready", func(ctx context.Context) (bool, string, error) {
		nodes, err := cs.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, "", err
		}
		if len(nodes.Items) != 1 {
			return false, fmt.Sprintf("%d nodes", len(nodes.Items)), nil
		}
		n := nodes.Items[0]
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady {
				return cond.Status == corev1.ConditionTrue, fmt.Sprintf("node %s Ready=%s (%s: %s)", n.Name, cond.Status, cond.Reason, cond.Message), nil
			}
		}
		return false, "node " + n.Name + " has no Ready condition", nil
	})

	waitFor(ctx, t, 3*time.Minute, "the CoreDNS pods to run", func(ctx context.Context) (bool, string, error) {
		pods, err := cs.CoreV1().Pods("kube-system").List(ctx, metav1.ListOptions{LabelSelector: "k8s-app=kube-dns"})
		if err != nil {
			return false, "", err
		}
		if len(pods.Items) == 0 {
			return false, "no pods labelled k8s-app=kube-dns in kube-system", nil
		}
		var states []string
		ok := true
		for _, p := range pods.Items {
			ready := false
			for _, cond := range p.Status.Conditions {
				if cond.Type == corev1.PodReady && cond.Status == corev1.ConditionTrue {
					ready = true
				}
			}
			states = append(states, fmt.Sprintf("%s %s ready=%t", p.Name, p.Status.Phase, ready))
			if p.Status.Phase != corev1.PodRunning || !ready {
				ok = false
			}
		}
		return ok, strings.Join(states, "; "), nil
	})

	start = time.Now()
	if err := Delete(ctx, name); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	deleted = true
	t.Logf("cluster %s deleted in %s", name, time.Since(start).Round(100*time.Millisecond))
	names, err = List(ctx)
	if err != nil {
		t.Fatalf("List after Delete: %v", err)
	}
	if slices.Contains(names, name) {
		deleted = false // let the cleanup try again
		t.Fatalf("List = %v after Delete, still contains %q", names, name)
	}
	// A second Delete of a cluster that is gone is not an error.
	if err := Delete(ctx, name); err != nil {
		t.Errorf("second Delete: %v", err)
	}
}

// waitFor polls check every 2 s until it reports done, the timeout passes or ctx ends.
func waitFor(ctx context.Context, t *testing.T, timeout time.Duration, what string, check func(context.Context) (bool, string, error)) {
	t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	var last string
	for {
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		done, state, err := check(cctx)
		cancel()
		if err != nil {
			state = "error: " + err.Error()
		}
		if done {
			t.Logf("%s: ok after %s (%s)", what, time.Since(start).Round(100*time.Millisecond), state)
			return
		}
		if state != last {
			t.Logf("waiting for %s: %s", what, state)
			last = state
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			t.Fatalf("timed out after %s waiting for %s; last state: %s", timeout, what, last)
		}
		select {
		case <-ctx.Done():
		case <-time.After(2 * time.Second):
		}
	}
}

func randomSuffix(t *testing.T) string {
	b := make([]byte, 3)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// resolveFromModuleRoot returns p if it is absolute or exists relative to the test's working
// directory (the package directory); otherwise p relative to the module root (the nearest
// parent directory holding go.mod), so repository-relative paths work too.
func resolveFromModuleRoot(t *testing.T, p string) string {
	t.Helper()
	if filepath.IsAbs(p) {
		return p
	}
	if _, err := os.Stat(p); err == nil {
		return p
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, p)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return p // not found: let ReadFile report the original path
		}
		dir = parent
	}
}
