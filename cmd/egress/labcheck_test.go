package main

// L0: lab-check on the Ginkgo JSON report of a real `make e2e-lab` run (captured in
// testdata), and on that report altered the ways a broken run would differ.

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egressconformance/iec/fixtures"
)

const labReport = "testdata/lab-ginkgo-report.json"

func nothingLeft(context.Context, string, string) ([]string, error) { return nil, nil }

func TestLabCheckAcceptsTheRecordedLabRun(t *testing.T) {
	var out bytes.Buffer
	var asked []string
	left := func(_ context.Context, runID, name string) ([]string, error) {
		asked = append(asked, runID, name)
		return nil, nil
	}
	if err := labCheck(context.Background(), labReport, &out, left); err != nil {
		t.Fatalf("the recorded lab run fails lab-check: %v\n%s", err, out.String())
	}
	for _, want := range []string{"passed for real (uninjected client)      2", "skipped: no Envoy data plane             40", "nothing left"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab-check output lacks %q:\n%s", want, out.String())
		}
	}
	if len(asked) != 2 || asked[1] != "egress-conformance" || asked[0] == "" {
		t.Errorf("leftovers looked up for %v, want the run id and cluster egress-conformance", asked)
	}
}

// alter rewrites the recorded report's spec reports with f and returns the new file's path.
func alter(t *testing.T, f func(specs []map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(labReport)
	if err != nil {
		t.Fatal(err)
	}
	var suites []map[string]any
	if err := json.Unmarshal(b, &suites); err != nil {
		t.Fatal(err)
	}
	var specs []map[string]any
	for _, s := range suites[0]["SpecReports"].([]any) {
		specs = append(specs, s.(map[string]any))
	}
	f(specs)
	out, err := json.Marshal(suites)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "report.json")
	if err := os.WriteFile(p, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLabCheckRejects(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(specs []map[string]any)
		left   func(context.Context, string, string) ([]string, error)
		want   string
	}{
		{"a probe that needs Envoy reported passed", func(specs []map[string]any) {
			for _, s := range specs {
				if s["State"] == "skipped" && strings.Contains(failureMessage(s), fixtures.DataPlaneMissing) {
					s["State"] = "passed"
					delete(s, "Failure")
					return
				}
			}
		}, nothingLeft, "needs Envoy but is reported passed"},
		{"a failed probe", func(specs []map[string]any) {
			for _, s := range specs {
				if s["State"] == "passed" && s["LeafNodeType"] == "It" {
					s["State"] = "failed"
					s["Failure"] = map[string]any{"Message": "Expected 200, got 503"}
					return
				}
			}
		}, nothingLeft, "failed"},
		{"no cluster property", func(specs []map[string]any) {
			for _, s := range specs {
				if entries, ok := s["ReportEntries"].([]any); ok {
					var kept []any
					for _, e := range entries {
						if e.(map[string]any)["Name"] != "property:cluster" {
							kept = append(kept, e)
						}
					}
					s["ReportEntries"] = kept
				}
			}
		}, nothingLeft, "records no run-id or cluster property"},
		{"the cluster left behind", func([]map[string]any) {}, func(context.Context, string, string) ([]string, error) {
			return []string{"kind-cluster/egress-conformance"}, nil
		}, "left kind-cluster/egress-conformance behind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := labCheck(context.Background(), alter(t, tc.change), &out, tc.left)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("lab-check = %v; want an error with %q\n%s", err, tc.want, out.String())
			}
		})
	}
}

func failureMessage(s map[string]any) string {
	f, _ := s["Failure"].(map[string]any)
	m, _ := f["Message"].(string)
	return m
}
