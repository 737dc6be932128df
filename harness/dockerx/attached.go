package dockerx

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"

	"github.com/egressconformance/iec/harness/poll"
)

// Output is everything a container printed so far, stdout and stderr in the order the engine
// framed them: what testcontainers' Logs gives for a container it started, for a container a
// parallel process of the same run started (the suite's other Ginkgo processes reach the
// outside world by id).
func Output(ctx context.Context, id string) ([]byte, error) {
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	r, err := c.ContainerLogs(ctx, id, client.ContainerLogsOptions{ShowStdout: true, ShowStderr: true})
	if err != nil {
		return nil, callErr(ctx, host, err, "logs of container %s", short(id))
	}
	defer r.Close()
	var out bytes.Buffer
	if _, err := stdcopy.StdCopy(&out, &out, r); err != nil {
		return nil, fmt.Errorf("reading the logs of container %s: %w", short(id), err)
	}
	return out.Bytes(), nil
}

// Exec runs cmd in the running container id (no TTY, no stdin) and returns what it printed on
// stdout and stderr, apart, and its exit code.
func Exec(ctx context.Context, id string, cmd []string) (stdout, stderr []byte, exitCode int, err error) {
	ctx, c, host, done, err := connect(ctx)
	if err != nil {
		return nil, nil, 0, err
	}
	defer done()
	created, err := c.ExecCreate(ctx, id, client.ExecCreateOptions{Cmd: cmd, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return nil, nil, 0, callErr(ctx, host, err, "exec %q in container %s", cmd, short(id))
	}
	att, err := c.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("attaching to exec %q in container %s: %s", cmd, short(id), oneLine(err))
	}
	defer att.Close()
	var o, e bytes.Buffer
	if _, err := stdcopy.StdCopy(&o, &e, att.Reader); err != nil {
		return nil, nil, 0, fmt.Errorf("reading the output of %q in container %s: %w", cmd, short(id), err)
	}
	// The stream ends when the command closes its output; the engine records the exit code a
	// moment later, so it is read once the engine says the command no longer runs.
	var ins client.ExecInspectResult
	timedOut, err := poll.Until(ctx, exitRecorded, 50*time.Millisecond, func(ctx context.Context) (bool, error) {
		var err error
		ins, err = c.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
		return err == nil && !ins.Running, err
	})
	if err != nil {
		return nil, nil, 0, fmt.Errorf("exit code of %q in container %s: %s", cmd, short(id), oneLine(err))
	}
	if timedOut {
		return nil, nil, 0, fmt.Errorf("exec %q in container %s: its output ended but the engine still says it runs after %s", cmd, short(id), exitRecorded)
	}
	return o.Bytes(), e.Bytes(), ins.ExitCode, nil
}

// exitRecorded bounds the wait for the engine to record an exec's exit code after its output
// ended.
const exitRecorded = 10 * time.Second

func short(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}
