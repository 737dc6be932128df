// Package childproc runs a child process for a test and follows its combined output line by
// line: the lifecycle tests start the suite's binaries, wait for a line that says how far
// they got, then interrupt or kill them. Test-only: it reports through testing.TB.
package childproc

import (
	"bufio"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Proc is a started child process and its output lines.
type Proc struct {
	Cmd   *exec.Cmd
	lines chan string
}

// Start starts cmd with stdout and stderr combined into one stream of lines.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("output pipe of %s: %v", cmd, err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", cmd, err)
	}
	p := &Proc{Cmd: cmd, lines: make(chan string, 10000)}
	go scan(out, p.lines)
	return p
}

func scan(r io.Reader, lines chan<- string) {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64*1024), 1024*1024)
	for s.Scan() {
		lines <- s.Text()
	}
	close(lines)
}

// WaitLine logs the output up to the first line containing want, and fails the test when
// the process ends or within passes before that.
func (p *Proc) WaitLine(t testing.TB, want string, within time.Duration) {
	t.Helper()
	deadline := time.After(within)
	for {
		select {
		case l, ok := <-p.lines:
			if !ok {
				t.Fatalf("%s ended before printing %q", p.Cmd.Path, want)
			}
			t.Log(l)
			if strings.Contains(l, want) {
				return
			}
		case <-deadline:
			t.Fatalf("%s printed no %q within %s", p.Cmd.Path, want, within)
		}
	}
}

// Wait logs the rest of the output and returns the process's exit; after within it kills
// the process and fails the test.
func (p *Proc) Wait(t testing.TB, within time.Duration) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		for l := range p.lines {
			t.Log(l)
		}
		done <- p.Cmd.Wait()
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(within):
		p.Cmd.Process.Kill()
		t.Fatalf("%s did not exit within %s", p.Cmd.Path, within)
		return nil
	}
}
