package lease

import (
	"bufio"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// A process that holds a lease (TestMain's helper mode): it prints "held" and waits.
func TestMain(m *testing.M) {
	if dir := os.Getenv("LEASE_TEST_HOLD"); dir != "" {
		if _, err := Acquire(dir, "held-by-child", "kind-x", "", 20*time.Millisecond); err != nil {
			os.Stdout.WriteString("error: " + err.Error() + "\n")
			os.Exit(1)
		}
		os.Stdout.WriteString("held\n")
		select {}
	}
	os.Exit(m.Run())
}

func TestALeaseIsLiveWhileHeldAndNotAfter(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(dir, "r1", "", "/a", 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if err := l.SetCluster("kind-a"); err != nil {
		t.Fatal(err)
	}
	rec, live, err := Live(dir, "r1")
	if err != nil || !live || rec.Cluster != "kind-a" || rec.Artifacts != "/a" || rec.PID != os.Getpid() || rec.Host != Host() {
		t.Fatalf("Live = %+v %v %v", rec, live, err)
	}
	first := rec.Heartbeat
	deadline := time.Now().Add(5 * time.Second)
	for rec.Heartbeat.Equal(first) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // the renewal's own period: nothing else to wait on
		rec, _, _ = Live(dir, "r1")
	}
	if !rec.Heartbeat.After(first) {
		t.Errorf("the heartbeat was not renewed: %v", rec.Heartbeat)
	}
	if _, err := Acquire(dir, "r1", "", "", time.Second); err == nil || !strings.Contains(err.Error(), "in use by a live run r1") {
		t.Errorf("a second holder of r1: %v", err)
	}
	if runs, err := LiveRuns(dir); err != nil || len(runs) != 1 || runs[0].RunID != "r1" {
		t.Errorf("LiveRuns = %v, %v", runs, err)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, live, err := Live(dir, "r1"); live || err != nil {
		t.Errorf("released lease still live: %v", err)
	}
}

// kill -9 leaves the files, and the lease reads dead at once; Forget then removes them.
func TestALeaseDiesWithItsProcess(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "LEASE_TEST_HOLD="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "held\n" {
		t.Fatalf("helper: %q", line)
	}
	rec, live, err := Live(dir, "held-by-child")
	if err != nil || !live || rec.PID != cmd.Process.Pid || rec.Cluster != "kind-x" {
		t.Fatalf("the child's lease: %+v live=%v %v", rec, live, err)
	}
	if removed, err := Forget(dir, "held-by-child"); removed || err != nil {
		t.Fatalf("Forget removed a live lease: %v %v", removed, err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	if _, live, err := Live(dir, "held-by-child"); live || err != nil {
		t.Fatalf("a killed run's lease reads live: %v", err)
	}
	if removed, err := Forget(dir, "held-by-child"); !removed || err != nil {
		t.Fatalf("Forget: %v %v", removed, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
}
