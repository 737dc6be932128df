//go:build l3

package main

// L3: a kind cluster created through the harness by a child process survives that
// process's kill -9, and `egress sweep` finds it by the suite's node label and removes it.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/egressconformance/iec/harness/cluster"
)

func TestL3SweepRemovesAKindClusterAfterKill9(t *testing.T) {
	for _, env := range []string{"EGRESS_KIND_NODE_IMAGE", "EGRESS_KIND_CONFIG"} {
		if os.Getenv(env) == "" {
			t.Fatalf("%s is not set: run through `make test-l3`", env)
		}
	}
	bin := buildEgress(t)
	b := make([]byte, 3)
	rand.Read(b)
	name := "egr-sweep-" + hex.EncodeToString(b)
	t.Cleanup(func() { cluster.Delete(context.Background(), name) })

	cmd := exec.Command(bin, "cluster", "up")
	cmd.Env = append(os.Environ(), "EGRESS_CLUSTER_NAME="+name)
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1000)
	go scanLines(out, lines)
	waitLine(t, lines, ClusterReady, 5*time.Minute)
	cmd.Process.Kill() // kill -9: the deferred delete never runs
	cmd.Wait()

	if !listed(t, name) {
		t.Fatalf("after kill -9 the cluster %s must still exist for the sweep to find", name)
	}
	sweep, err := exec.Command(bin, "sweep").CombinedOutput()
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, sweep)
	}
	t.Logf("sweep:\n%s", sweep)
	if !strings.Contains(string(sweep), "removed kind-cluster/"+name) {
		t.Errorf("the sweep must report the cluster it removed")
	}
	if listed(t, name) {
		t.Fatalf("cluster %s remains after the sweep", name)
	}
}

func listed(t *testing.T, name string) bool {
	names, err := cluster.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}
