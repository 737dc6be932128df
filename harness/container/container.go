// Package container holds the testcontainers-go mechanics the fixtures share: starting a
// labelled container on a Docker network, exec with separated output, and the reaper choice.
package container

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/testcontainers/testcontainers-go"

	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/lease"
)

// RunLabel marks every container, network and namespace a run creates, so leftovers of a
// killed run can be swept (`make clean`).
// HostLabel and PIDLabel say which process of which host made a container (the run's lease,
// harness/lease, says whether it still lives).
const (
	RunLabel  = "egress-conformance/run"
	RoleLabel = "egress-conformance/role"
	HostLabel = "egress-conformance/host"
	PIDLabel  = "egress-conformance/pid"
)

// OwnerLabels are the labels of a container or network this process makes for run runID.
func OwnerLabels(runID string) map[string]string {
	return map[string]string{RunLabel: runID, HostLabel: lease.Host(), PIDLabel: strconv.Itoa(os.Getpid())}
}

// ReaperEnv is testcontainers' switch for its Ryuk reaper.
const ReaperEnv = "TESTCONTAINERS_RYUK_DISABLED"

// ChooseReaper decides whether testcontainers may use its Ryuk reaper. Ryuk is an image
// (testcontainers/ryuk) that has to be pulled; when it is neither present nor pullable the
// run must still work, so the reaper is disabled and the suite removes its own containers by
// label (Teardown, and `make clean` after a kill -9). It must run before the first
// testcontainers call, because testcontainers reads its configuration once.
// imagePresent reports whether the reaper image is available locally.
func ChooseReaper(ctx context.Context, imagePresent func(ctx context.Context, ref string) (bool, error)) (disabled bool, reason string) {
	if v := os.Getenv(ReaperEnv); v != "" {
		return v == "true" || v == "1", ReaperEnv + "=" + v + " set by the user"
	}
	const ryuk = "testcontainers/ryuk:0.14.0"
	ok, err := imagePresent(ctx, ryuk)
	if err == nil && ok {
		return false, "reaper image " + ryuk + " present"
	}
	os.Setenv(ReaperEnv, "true")
	return true, "reaper image " + ryuk + " not present locally: reaper disabled, the suite removes its containers by the " + RunLabel + " label"
}

// ExecResult is what a command in a container printed and how it exited.
type ExecResult struct {
	Stdout, Stderr []byte
	ExitCode       int
}

// ExecSplit runs cmd and keeps stdout and stderr apart (for curl: -w JSON on stdout,
// errors on stderr).
func ExecSplit(ctx context.Context, c testcontainers.Container, cmd ...string) (ExecResult, error) {
	code, r, err := c.Exec(ctx, cmd)
	if err != nil {
		return ExecResult{}, fmt.Errorf("exec %q in container %s: %w", cmd, c.GetContainerID()[:12], err)
	}
	var stdout, stderr bytes.Buffer
	if _, err := stdcopy.StdCopy(&stdout, &stderr, r); err != nil {
		return ExecResult{}, fmt.Errorf("reading output of %q: %w", cmd, err)
	}
	return ExecResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes(), ExitCode: code}, nil
}

// Running is a container the run started, as the fixtures use it once it runs: read its output,
// run commands in it. Started wraps one this process started with testcontainers; Attach
// reaches one by id that another process of the same run started (the suite's parallel
// Ginkgo processes share process 1's outside world).
type Running interface {
	ID() string
	Output(ctx context.Context) ([]byte, error)
	Exec(ctx context.Context, cmd ...string) (ExecResult, error)
}

// Started is c as a Running container.
func Started(c testcontainers.Container) Running { return started{c} }

type started struct{ c testcontainers.Container }

func (s started) ID() string                                 { return s.c.GetContainerID() }
func (s started) Output(ctx context.Context) ([]byte, error) { return Logs(ctx, s.c) }
func (s started) Exec(ctx context.Context, cmd ...string) (ExecResult, error) {
	return ExecSplit(ctx, s.c, cmd...)
}

// Attach is the running container id, reached through the Docker engine directly.
func Attach(id string) Running { return attached(id) }

type attached string

func (a attached) ID() string                                 { return string(a) }
func (a attached) Output(ctx context.Context) ([]byte, error) { return dockerx.Output(ctx, string(a)) }
func (a attached) Exec(ctx context.Context, cmd ...string) (ExecResult, error) {
	stdout, stderr, code, err := dockerx.Exec(ctx, string(a), cmd)
	return ExecResult{Stdout: stdout, Stderr: stderr, ExitCode: code}, err
}

// Logs returns everything the container printed (stdout and stderr, demultiplexed).
func Logs(ctx context.Context, c testcontainers.Container) ([]byte, error) {
	r, err := c.Logs(ctx)
	if err != nil {
		return nil, fmt.Errorf("logs of container %s: %w", c.GetContainerID()[:12], err)
	}
	defer r.Close()
	return io.ReadAll(r)
}
