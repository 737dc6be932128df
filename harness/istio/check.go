package istio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os/exec"
	"strings"
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

// Finding is one message of `istioctl analyze -o json`.
type Finding struct {
	Code             string `json:"code"`
	Level            string `json:"level"` // Error, Warning, Info
	Message          string `json:"message"`
	Origin           string `json:"origin"`
	Reference        string `json:"reference"`
	DocumentationURL string `json:"documentationUrl"`
}

func (f Finding) String() string {
	return fmt.Sprintf("%s [%s] (%s) %s", f.Level, f.Code, f.Origin, f.Message)
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
func Analyze(ctx context.Context, istioctl string, suppress []string, files ...string) ([]Finding, error) {
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
	return ParseFindings([]byte(stdout))
}

// ParseFindings reads `istioctl analyze -o json` output: a JSON array of messages, or nothing
// when there are none.
func ParseFindings(b []byte) ([]Finding, error) {
	s := strings.TrimSpace(string(b))
	if s == "" || s == "null" {
		return nil, nil
	}
	var out []Finding
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("istioctl analyze -o json printed something that is not a JSON array of messages (%v): %.300s", err, s)
	}
	for i, f := range out {
		if f.Code == "" || f.Level == "" {
			return nil, fmt.Errorf("istioctl analyze message %d has no code or level: %+v", i, f)
		}
	}
	return out, nil
}

// AtLeast keeps the findings of level Error, or Error and Warning when warnings is set.
func AtLeast(fs []Finding, warnings bool) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Level == "Error" || (warnings && f.Level == "Warning") {
			out = append(out, f)
		}
	}
	return out
}
