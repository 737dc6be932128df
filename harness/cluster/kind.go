package cluster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	kindexec "sigs.k8s.io/kind/pkg/exec"
	kindlog "sigs.k8s.io/kind/pkg/log"
)

// This file is the package's use of kind's library: the provider, calls that Ctrl-C must not
// wait for, one operation per cluster name at a time, and kind's logger.

func newProvider(w io.Writer) *kindcluster.Provider {
	return kindcluster.NewProvider(kindcluster.ProviderWithDocker(), kindcluster.ProviderWithLogger(logger{w: w}))
}

// run executes f in a worker goroutine and waits for it or for ctx. With a name, the worker
// holds that cluster name's lock for as long as it runs, even after the caller gave up.
func run[T any](ctx context.Context, name *string, what string, f func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("%s: %w", what, err)
	}
	unlock := func() {}
	if name != nil {
		u, err := lock(ctx, *name)
		if err != nil {
			return zero, err
		}
		unlock = u
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		defer unlock()
		v, err := f()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, fmt.Errorf("%s: %w before kind finished; kind cannot be interrupted and goes on in the background (if it leaves a cluster behind, `make clean` or `kind delete cluster` removes it)", what, ctx.Err())
	}
}

// kindMessage is kind's error text plus the tail of the failing command's output, which kind
// keeps out of Error() (its CLI prints it separately). No stack traces.
func kindMessage(err error) string {
	msg := err.Error()
	if re := kindexec.RunErrorForError(err); re != nil && len(bytes.TrimSpace(re.Output)) > 0 {
		lines := strings.Split(strings.TrimSpace(string(re.Output)), "\n")
		if len(lines) > 15 {
			lines = append([]string{"…"}, lines[len(lines)-15:]...)
		}
		msg += "; command output:\n  " + strings.Join(lines, "\n  ")
	}
	return msg
}

// --- per-name serialisation and what this process wrote ---

var (
	mu      sync.Mutex
	slots   = map[string]chan struct{}{}
	configs = map[string]string{} // cluster name -> kubeconfig path written by Ensure
)

// lock takes the name's slot, or gives up when ctx ends.
func lock(ctx context.Context, name string) (func(), error) {
	mu.Lock()
	s, ok := slots[name]
	if !ok {
		s = make(chan struct{}, 1)
		slots[name] = s
	}
	mu.Unlock()
	select {
	case s <- struct{}{}:
		return func() { <-s }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("waiting for another operation on kind cluster %q to finish: %w", name, ctx.Err())
	}
}

func remember(name, kubeconfig string) {
	mu.Lock()
	defer mu.Unlock()
	configs[name] = kubeconfig
}

func kubeconfigOf(name string) string {
	mu.Lock()
	defer mu.Unlock()
	return configs[name]
}

// --- kind's logger, writing to Spec.Log ---

type logger struct{ w io.Writer }

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		// kind's status lines end in a newline of their own.
		fmt.Fprintf(w, "kind: %s\n", strings.TrimRight(fmt.Sprintf(format, args...), "\n"))
	}
}

func (l logger) Warn(m string)                        { logf(l.w, "WARNING: %s", m) }
func (l logger) Warnf(f string, a ...any)             { logf(l.w, "WARNING: "+f, a...) }
func (l logger) Error(m string)                       { logf(l.w, "ERROR: %s", m) }
func (l logger) Errorf(f string, a ...any)            { logf(l.w, "ERROR: "+f, a...) }
func (l logger) V(v kindlog.Level) kindlog.InfoLogger { return infoLogger{w: l.w, on: v <= 0} }

type infoLogger struct {
	w  io.Writer
	on bool
}

func (l infoLogger) Info(m string) {
	if l.on {
		logf(l.w, "%s", m)
	}
}

func (l infoLogger) Infof(f string, a ...any) {
	if l.on {
		logf(l.w, f, a...)
	}
}

func (l infoLogger) Enabled() bool { return l.on && l.w != nil }
