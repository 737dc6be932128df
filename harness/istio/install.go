package istio

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/egressconformance/iec/harness/kube"
	"github.com/egressconformance/iec/harness/parse"
)

// UninstallTimeout bounds Uninstall when ctx has no deadline.
const UninstallTimeout = 5 * time.Minute

// Install runs `istioctl install -y -f <operator> --kubeconfig <kubeconfig>
// --readiness-timeout <timeout>`, bounded by timeout (plus a minute for istioctl to report).
// Reinstalling replaces the whole configuration: settings not in operatorYAML revert to
// defaults. The error carries istioctl's output.
func Install(ctx context.Context, istioctl, kubeconfig string, operatorYAML []byte, timeout time.Duration) error {
	if err := checkTool(istioctl); err != nil {
		return err
	}
	if len(operatorYAML) == 0 {
		return errors.New("istio.Install: empty IstioOperator: render one with RenderOperator")
	}
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	f, err := os.CreateTemp("", "egress-istio-operator-*.yaml")
	if err != nil {
		return fmt.Errorf("writing the IstioOperator to a temporary file: %w", err)
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(operatorYAML); err != nil {
		f.Close()
		return fmt.Errorf("writing the IstioOperator to %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing the IstioOperator to %s: %w", f.Name(), err)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout+time.Minute)
	defer cancel()
	args := []string{"install", "-y", "-f", f.Name(), "--readiness-timeout", timeout.String()}
	if kubeconfig != "" {
		args = append(args, "--kubeconfig", kubeconfig)
	}
	stdout, stderr, err := run(ctx, istioctl, args...)
	if err != nil {
		return fmt.Errorf("%s %s failed (%v); istioctl said:\n%s\ncheck the operator settings above and `kubectl get pods -n istio-system`",
			istioctl, strings.Join(args, " "), runErr(ctx, err), tail(stdout+stderr, 60))
	}
	return nil
}

// Uninstall runs `istioctl uninstall --purge -y`, removing every Istio control plane and the
// cluster-wide resources (CRDs included).
func Uninstall(ctx context.Context, istioctl, kubeconfig string) error {
	if err := checkTool(istioctl); err != nil {
		return err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, UninstallTimeout)
		defer cancel()
	}
	args := []string{"uninstall", "--purge", "-y"}
	if kubeconfig != "" {
		args = append(args, "--kubeconfig", kubeconfig)
	}
	stdout, stderr, err := run(ctx, istioctl, args...)
	if err != nil {
		return fmt.Errorf("%s %s failed (%v); istioctl said:\n%s", istioctl, strings.Join(args, " "), runErr(ctx, err), tail(stdout+stderr, 60))
	}
	return nil
}

// Installed says whether an Istio control plane (the default revision's istiod Deployment
// in istio-system) is already in the cluster.
func Installed(ctx context.Context, k *kube.Client) (bool, error) {
	_, err := k.Clientset.AppsV1().Deployments("istio-system").Get(ctx, "istiod", metav1.GetOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsNotFound(err):
		return false, nil
	default:
		return false, fmt.Errorf("looking for an installed Istio (istio-system/istiod): %w", err)
	}
}

func checkTool(istioctl string) error {
	fi, err := os.Stat(istioctl)
	if err != nil || !fi.Mode().IsRegular() || fi.Mode()&0o111 == 0 {
		return fmt.Errorf("istioctl %q is not an executable file: fetch one with Fetcher.Istioctl or set %s", istioctl, IstioctlEnv)
	}
	return nil
}

func runErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return fmt.Errorf("%v: %w", err, ctx.Err())
	}
	return err
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return "  " + strings.Join(lines, "\n  ")
}

// ProxyContainer is the sidecar's container name, classic or native.
const ProxyContainer = "istio-proxy"

// Admin reads Envoy's admin API through pilot-agent in the istio-proxy container (an exec,
// which works for classic sidecars, native sidecars and gateways alike; the proxy image has no
// curl). pilot-agent only reaches the admin port, 15000.
type Admin struct {
	Kube *kube.Client

	exec func(ctx context.Context, namespace, pod, container string, cmd []string) (kube.ExecResult, error) // tests
}

// Get returns the admin endpoint's body: path is "stats", "clusters", "config_dump",
// "stats?filter=..." and so on (a leading "/" is fine).
func (a Admin) Get(ctx context.Context, namespace, pod, path string) ([]byte, error) {
	exec := a.exec
	if exec == nil {
		if a.Kube == nil {
			return nil, errors.New("istio.Admin has no Kube client: set Admin.Kube")
		}
		exec = a.Kube.Exec
	}
	path = strings.TrimLeft(path, "/")
	if path == "" {
		return nil, errors.New("Admin.Get: empty admin path: use stats, clusters or config_dump")
	}
	cmd := []string{"pilot-agent", "request", "GET", path}
	res, err := exec(ctx, namespace, pod, ProxyContainer, cmd)
	if err != nil {
		return nil, fmt.Errorf("reading Envoy admin %s of pod %s/%s: %w", path, namespace, pod, err)
	}
	if res.ExitCode != 0 {
		return nil, fmt.Errorf("reading Envoy admin %s of pod %s/%s: pilot-agent exited %d: %s: is the pod injected (container %s) and its proxy up?",
			path, namespace, pod, res.ExitCode, strings.TrimSpace(excerpt(string(res.Stderr)+string(res.Stdout), 500)), ProxyContainer)
	}
	return res.Stdout, nil
}

// ProxyStatus runs `istioctl proxy-status --verbosity 1`: every proxy istiod serves, with
// the state of each xDS type (parse.ParseProxyStatus reads it; a NACK shows as ERROR). The
// error names the command and carries its output.
func ProxyStatus(ctx context.Context, istioctl, kubeconfig string) ([]byte, error) {
	if err := checkTool(istioctl); err != nil {
		return nil, err
	}
	args := []string{"proxy-status", "--verbosity", "1"}
	if kubeconfig != "" {
		args = append(args, "--kubeconfig", kubeconfig)
	}
	stdout, stderr, err := run(ctx, istioctl, args...)
	if err != nil {
		return []byte(stdout + stderr), fmt.Errorf("`%s %s` failed (%v): is istiod running (kubectl get pods -n istio-system)? istioctl said:\n%s",
			istioctl, strings.Join(args, " "), runErr(ctx, err), tail(stdout+stderr, 20))
	}
	return []byte(stdout), nil
}

// ServerInfo reads and parses the proxy's admin /server_info (its Envoy version and state).
func (a Admin) ServerInfo(ctx context.Context, namespace, pod string) (parse.ServerInfo, error) {
	raw, err := a.Get(ctx, namespace, pod, "server_info")
	if err != nil {
		return parse.ServerInfo{}, err
	}
	info, err := parse.ParseServerInfo(raw)
	if err != nil {
		return info, fmt.Errorf("server_info of %s/%s: %w", namespace, pod, err)
	}
	return info, nil
}
