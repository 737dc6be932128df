package istio

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/egressconformance/iec/harness/parse"
)

// Validate runs `istioctl validate -f FILE…`: Istio's own schema and semantic validation
// (the same code as istiod's webhook), offline. A nil error means every object is valid; the
// error carries istioctl's findings.
func Validate(ctx context.Context, istioctl string, files ...string) error {
	if err := checkTool(istioctl); err != nil {
		return err
	}
	if len(files) == 0 {
		return errors.New("istio.Validate: no files given")
	}
	args := []string{"validate"}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	stdout, stderr, err := run(ctx, istioctl, args...)
	if err != nil {
		return fmt.Errorf("%s %s rejected the configuration (%v):\n%s", istioctl, strings.Join(args, " "), runErr(ctx, err), tail(stdout+stderr, 40))
	}
	return nil
}

// AnalyzeIssuesExit is istioctl analyze's exit code when a message reaches the failure
// threshold (level Error by default); the findings are still printed.
const AnalyzeIssuesExit = 79

// Analyze runs `istioctl analyze --use-kube=false --all-namespaces -o json FILE…` (no cluster:
// the files are the whole world) and returns every finding. --all-namespaces matters: without
// it istioctl reports on the namespace "default" only and is silent about the rest. With
// -o json istioctl exits 0 even on error-level findings, so callers must read the findings. suppress are istioctl's "CODE=Kind name[.namespace]"
// suppressions. An error means istioctl could not analyze (a file does not parse, …), not that it
// found issues: callers decide which levels fail.
func Analyze(ctx context.Context, istioctl string, suppress []string, files ...string) ([]parse.Finding, error) {
	if err := checkTool(istioctl); err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, errors.New("istio.Analyze: no files given")
	}
	args := []string{"analyze", "--use-kube=false", "--all-namespaces", "-o", "json"}
	for _, s := range suppress {
		args = append(args, "--suppress", s)
	}
	args = append(args, files...)
	stdout, stderr, err := run(ctx, istioctl, args...)
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == AnalyzeIssuesExit) {
		return nil, fmt.Errorf("%s %s could not analyze (%v):\n%s", istioctl, strings.Join(args, " "), runErr(ctx, err), tail(stdout+stderr, 40))
	}
	return parse.ParseFindings([]byte(stdout))
}
