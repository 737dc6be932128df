//go:build l2

package main

// L2, real containers: the outside world started by a child process is removed when the
// process is interrupted during setup (SIGINT), and is swept after a kill -9. Every check
// goes through the Docker API.

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/testcontainers/testcontainers-go/network"

	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/container"
	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/lease"
	"github.com/egressconformance/iec/internal/childproc"
	"github.com/egressconformance/iec/internal/testkit"
)

func newRun(t *testing.T) (runID, net string) {
	t.Helper()
	runID = "lc-" + testkit.Suffix(t)
	nw, err := network.New(context.Background(), network.WithLabels(map[string]string{container.RunLabel: runID}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		dockerx.RemoveByLabel(context.Background(), container.RunLabel, runID)
		lease.Forget(config.DefaultLeaseDir(), runID) // a killed run's lease files
	})
	return runID, nw.Name
}

// leftovers lists the run's containers (networks are the test's own).
func leftovers(t *testing.T, runID string) []string {
	t.Helper()
	cs, _, err := dockerx.ListByLabel(context.Background(), container.RunLabel, runID)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// start runs `egress outside` and follows its output.
func start(t *testing.T, bin, runID, net string) *childproc.Proc {
	t.Helper()
	cmd := exec.Command(bin, "outside", "-network", net)
	cmd.Env = append(os.Environ(), "EGRESS_RUN_ID="+runID, "TESTCONTAINERS_RYUK_DISABLED=true")
	return childproc.Start(t, cmd)
}

func TestL2InterruptDuringSetupLeavesNothing(t *testing.T) {
	bin := buildEgress(t)
	runID, net := newRun(t)
	p := start(t, bin, runID, net)
	// The first line comes before any container is created; interrupt right then, while the
	// containers are being started.
	p.WaitLine(t, "testcontainers reaper", 30*time.Second)
	if err := p.Cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(t, 2*time.Minute); err == nil {
		t.Error("an interrupted run must exit non-zero")
	}
	if left := leftovers(t, runID); len(left) != 0 {
		t.Fatalf("SIGINT during setup left containers behind: %v", left)
	}
}

func TestL2SweepAfterKill9(t *testing.T) {
	bin := buildEgress(t)
	runID, net := newRun(t)
	p := start(t, bin, runID, net)
	p.WaitLine(t, OutsideReady, 2*time.Minute)
	if n := len(leftovers(t, runID)); n != 3 {
		t.Fatalf("want the 3 outside-world containers running, found %d", n)
	}
	p.Cmd.Process.Kill() // kill -9: no cleanup can run
	p.Cmd.Wait()
	if n := len(leftovers(t, runID)); n != 3 {
		t.Fatalf("after kill -9 the containers must still be there for the sweep to find, found %d", n)
	}
	out, err := exec.Command(bin, "sweep", "-run", runID).CombinedOutput()
	if err != nil {
		t.Fatalf("sweep: %v\n%s", err, out)
	}
	t.Logf("sweep:\n%s", out)
	if !strings.Contains(string(out), "removed container/egr-"+runID+"-squid") || !strings.Contains(string(out), "removed network/") {
		t.Errorf("the sweep must report what it removed:\n%s", out)
	}
	if left := leftovers(t, runID); len(left) != 0 {
		t.Fatalf("containers remain after the sweep: %v", left)
	}
	_, nets, _ := dockerx.ListByLabel(context.Background(), container.RunLabel, runID)
	if len(nets) != 0 {
		t.Fatalf("networks remain after the sweep: %v", nets)
	}
}

// Two runs on one host: the sweep keeps what a live run owns, naming it, and removes what a
// killed one left. The global sweep is exercised with -dry-run only (it would also judge
// clusters and containers of other runs on this engine); the removals go run by run.
func TestL2SweepKeepsALiveRunsThings(t *testing.T) {
	bin := buildEgress(t)
	runA, netA := newRun(t)
	runB, netB := newRun(t)
	a := start(t, bin, runA, netA)
	b := start(t, bin, runB, netB)
	a.WaitLine(t, OutsideReady, 2*time.Minute)
	b.WaitLine(t, OutsideReady, 2*time.Minute)
	sweep := func(args ...string) string {
		t.Helper()
		out, err := exec.Command(bin, append([]string{"sweep"}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("sweep %v: %v\n%s", args, err, out)
		}
		return string(out)
	}

	out := sweep("-run", runB)
	if !strings.Contains(out, "kept container/egr-"+runB+"-squid: live run "+runB) {
		t.Errorf("the sweep of live run %s must keep its containers and say whose they are:\n%s", runB, out)
	}
	if n := len(leftovers(t, runB)); n != 3 {
		t.Fatalf("the sweep took containers of live run %s: %d of 3 left", runB, n)
	}

	a.Cmd.Process.Kill() // kill -9: run A is gone, its things stay behind
	a.Cmd.Wait()
	out = sweep("-dry-run")
	for _, want := range []string{
		"would remove container/egr-" + runA + "-squid",
		"kept container/egr-" + runB + "-squid: live run " + runB,
		"would remove lease/" + runA,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the dry run lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "would remove container/egr-"+runB) {
		t.Errorf("the dry run would remove live run %s's containers:\n%s", runB, out)
	}
	if n := len(leftovers(t, runA)); n != 3 {
		t.Fatalf("the dry run removed containers of run %s: %d of 3 left", runA, n)
	}

	out = sweep("-run", runA)
	if !strings.Contains(out, "removed container/egr-"+runA+"-squid") || len(leftovers(t, runA)) != 0 {
		t.Errorf("the sweep must remove what killed run %s left:\n%s", runA, out)
	}
	if n := len(leftovers(t, runB)); n != 3 {
		t.Fatalf("sweeping run %s took containers of live run %s: %d of 3 left", runA, runB, n)
	}
	if err := b.Cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	b.Wait(t, 2*time.Minute)
	if left := leftovers(t, runB); len(left) != 0 {
		t.Errorf("run %s left %v after its Ctrl-C", runB, left)
	}
}
