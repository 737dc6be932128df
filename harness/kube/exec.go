package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/httpstream"
	"k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/tools/remotecommand"
	"k8s.io/client-go/util/exec"
)

// ExecResult is what a command printed and how it exited.
type ExecResult struct {
	Stdout, Stderr []byte
	ExitCode       int
}

// Exec runs cmd in a container through the API server (remotecommand: WebSocket first, SPDY
// when the server refuses the upgrade, as kubectl does). The command's own non-zero exit is
// not an error: it is ExitCode, with whatever the command printed. Errors are transport
// failures (pod or container missing, not running, API unreachable, ctx ended). Bound the
// command with ctx.
func (c *Client) Exec(ctx context.Context, namespace, pod, container string, cmd []string) (ExecResult, error) {
	if len(cmd) == 0 {
		return ExecResult{}, errors.New("Exec: empty command")
	}
	req := c.Clientset.CoreV1().RESTClient().Post().
		Namespace(namespace).Resource("pods").Name(pod).SubResource("exec").
		VersionedParams(&corev1.PodExecOptions{
			Container: container,
			Command:   cmd,
			Stdout:    true,
			Stderr:    true,
		}, scheme.ParameterCodec)
	where := fmt.Sprintf("exec %q in pod %s/%s container %s", cmd, namespace, pod, container)

	ws, err := remotecommand.NewWebSocketExecutor(c.Rest, "GET", req.URL().String())
	if err != nil {
		return ExecResult{}, fmt.Errorf("%s: creating the websocket executor: %v", where, err)
	}
	spdy, err := remotecommand.NewSPDYExecutor(c.Rest, "POST", req.URL())
	if err != nil {
		return ExecResult{}, fmt.Errorf("%s: creating the SPDY executor: %v", where, err)
	}
	ex, err := remotecommand.NewFallbackExecutor(ws, spdy, func(err error) bool {
		return httpstream.IsUpgradeFailure(err) || httpstream.IsHTTPSProxyError(err)
	})
	if err != nil {
		return ExecResult{}, fmt.Errorf("%s: %v", where, err)
	}
	var stdout, stderr bytes.Buffer
	err = ex.StreamWithContext(ctx, remotecommand.StreamOptions{Stdout: &stdout, Stderr: &stderr})
	res := ExecResult{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if err == nil {
		return res, nil
	}
	if code, ok := exitCode(err); ok {
		res.ExitCode = code
		return res, nil
	}
	return res, fmt.Errorf("%s: %v: check that the pod is Running and has that container (kubectl get pod %s -n %s -o wide)", where, err, pod, namespace)
}

// exitCode extracts the exit status remotecommand reports for a command that ran and failed.
func exitCode(err error) (int, bool) {
	var code exec.CodeExitError
	if errors.As(err, &code) {
		return code.Code, true
	}
	var codePtr *exec.CodeExitError
	if errors.As(err, &codePtr) && codePtr != nil {
		return codePtr.Code, true
	}
	var ee exec.ExitError
	if errors.As(err, &ee) && ee.Exited() {
		return ee.ExitStatus(), true
	}
	return 0, false
}

// LogsSince returns what the container printed since `since` (everything when since is zero),
// without timestamps. The API server's SinceTime has one-second resolution and rounds down, so
// a few lines printed just before `since` can come back: match on a unique marker (a request
// path or ID) rather than on "any line".
func (c *Client) LogsSince(ctx context.Context, namespace, pod, container string, since time.Time) ([]byte, error) {
	opts := &corev1.PodLogOptions{Container: container, Timestamps: false}
	if !since.IsZero() {
		opts.SinceTime = &metav1.Time{Time: since}
	}
	b, err := c.Clientset.CoreV1().Pods(namespace).GetLogs(pod, opts).DoRaw(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the logs of container %s in pod %s/%s since %s: %v: check the pod and container names (kubectl get pod %s -n %s -o jsonpath='{.spec.containers[*].name} {.spec.initContainers[*].name}')",
			container, namespace, pod, since.Format(time.RFC3339), err, pod, namespace)
	}
	return b, nil
}

// ContainerIn reports whether the pod has a container called name, either as a regular
// container or as an init container; native says it is a native sidecar (an init container
// with restartPolicy Always, which is where Istio ≥1.27 puts istio-proxy by default).
func ContainerIn(p *corev1.Pod, name string) (found, native bool) {
	if p == nil {
		return false, false
	}
	for _, c := range p.Spec.Containers {
		if c.Name == name {
			return true, false
		}
	}
	for _, c := range p.Spec.InitContainers {
		if c.Name == name {
			return true, c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
		}
	}
	return false, false
}
