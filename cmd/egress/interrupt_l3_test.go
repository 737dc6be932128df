//go:build l3

package main

// L3: Ctrl-C in the middle of the e2e suite itself. The suite binary runs with the lab
// overrides (offline node image, locally built istiod, control plane only); once setup has
// built everything — kind cluster, Istio, the outside world, the CoreDNS names — and the
// scenarios started, it gets SIGINT. It must exit non-zero and leave no cluster, container
// or network of the run (checked with kind's and Docker's APIs).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
)

func TestL3InterruptDuringTheSuiteLeavesNothing(t *testing.T) {
	for _, env := range []string{"EGRESS_KIND_NODE_IMAGE", "EGRESS_KIND_CONFIG", "EGRESS_ISTIOCTL", "EGRESS_ISTIO_CONTROL_PLANE_ONLY"} {
		if os.Getenv(env) == "" {
			t.Fatalf("%s is not set: run through `make test-l3`", env)
		}
	}
	suiteDir, err := filepath.Abs("../../suites/egress")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "egress.test")
	if out, err := exec.Command("go", "test", "-c", "-tags", "e2e", "-o", bin, suiteDir).CombinedOutput(); err != nil {
		t.Fatalf("building the e2e suite: %v\n%s", err, out)
	}
	b := make([]byte, 3)
	rand.Read(b)
	runID := "int-" + hex.EncodeToString(b)
	name := "egr-" + runID
	t.Cleanup(func() {
		// Only if the test failed half-way: the sweep is what the user would run.
		if listed(t, name) {
			exec.Command("go", "run", ".", "sweep", "-run", runID).Run()
		}
	})

	cmd := exec.Command(bin, "-ginkgo.v")
	cmd.Dir = suiteDir
	cmd.Env = append(os.Environ(), "EGRESS_RUN_ID="+runID, "EGRESS_CLUSTER_NAME="+name, "EGRESS_ARTIFACTS="+t.TempDir())
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 10000)
	go scanLines(out, lines)
	// Setup's last step, then the first scenario.
	waitLine(t, lines, "✓ hermetic names in cluster DNS", 8*time.Minute)
	waitLine(t, lines, "scenario", time.Minute)
	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for l := range lines {
			t.Log(l)
		}
		done <- cmd.Wait()
	}()
	select {
	case err = <-done:
	case <-time.After(6 * time.Minute):
		cmd.Process.Kill()
		t.Fatal("the suite did not exit within 6 minutes of SIGINT")
	}
	t.Logf("suite exited %v, %s after SIGINT", err, time.Since(start).Round(time.Second))
	var ee *exec.ExitError
	if err == nil {
		t.Error("the interrupted suite exited 0: an interrupted run must fail")
	} else if !errors.As(err, &ee) {
		t.Errorf("the suite did not run to an exit: %v", err)
	}
	if listed(t, name) {
		t.Errorf("kind cluster %s remains after the interrupt", name)
	}
	cs, nets, err := dockerx.ListByLabel(context.Background(), container.RunLabel, runID)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs)+len(nets) != 0 {
		t.Errorf("containers %v and networks %v of the run remain after the interrupt", cs, nets)
	}
}
