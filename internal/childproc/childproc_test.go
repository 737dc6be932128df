package childproc

import (
	"os/exec"
	"strings"
	"testing"
	"time"
)

// fakeT records a fatal failure instead of ending the test, to check the failure paths.
type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper()    {}
func (f *fakeT) Log(...any) {}
func (f *fakeT) Fatalf(format string, a ...any) {
	f.failed = format
	panic(f)
}

func catch(f func()) (failed bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(*fakeT); !ok {
				panic(r)
			}
			failed = true
		}
	}()
	f()
	return false
}

func TestWaitLineThenExitStatus(t *testing.T) {
	p := Start(t, exec.Command("sh", "-c", "echo one; echo 'two: ready' >&2; echo three; exit 3"))
	p.WaitLine(t, "ready", 10*time.Second)
	err := p.Wait(t, 10*time.Second)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Fatalf("Wait = %v; want exit status 3", err)
	}
}

func TestWaitLineFailsWhenTheProcessEndsFirst(t *testing.T) {
	ft := &fakeT{TB: t}
	p := Start(t, exec.Command("sh", "-c", "echo nothing useful"))
	if !catch(func() { p.WaitLine(ft, "ready", 10*time.Second) }) || !strings.Contains(ft.failed, "ended before") {
		t.Fatalf("WaitLine on a process that never prints the line: failed=%q", ft.failed)
	}
}

func TestWaitLineFailsAfterItsDeadline(t *testing.T) {
	ft := &fakeT{TB: t}
	p := Start(t, exec.Command("sleep", "30"))
	defer p.Cmd.Process.Kill()
	start := time.Now()
	if !catch(func() { p.WaitLine(ft, "ready", 300*time.Millisecond) }) || !strings.Contains(ft.failed, "within") {
		t.Fatalf("WaitLine past its deadline: failed=%q", ft.failed)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("WaitLine took %s for a 300ms deadline", d)
	}
}
