package main

// L0: lab-check on the Ginkgo JSON report of a real `make e2e-lab` run (captured in
// testdata), and on that report altered the ways a broken run would differ.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egressconformance/iec/fixtures"
)

const labReport = "testdata/lab-ginkgo-report.json"

func nothingLeft(context.Context, string, string, bool) ([]string, error) { return nil, nil }

func TestLabCheckAcceptsTheRecordedLabRun(t *testing.T) {
	var out bytes.Buffer
	var asked []string
	left := func(_ context.Context, runID, name string, deletes bool) ([]string, error) {
		asked = append(asked, runID, name, fmt.Sprint(deletes))
		return nil, nil
	}
	if err := labCheck(context.Background(), labReport, &out, left); err != nil {
		t.Fatalf("the recorded lab run fails lab-check: %v\n%s", err, out.String())
	}
	for _, want := range []string{"passed for real (uninjected client)      2", "skipped: no Envoy data plane             40", "(created and deleted by the run): 0 leftovers"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab-check output lacks %q:\n%s", want, out.String())
		}
	}
	// `make e2e-lab` on its own creates its cluster and deletes it.
	if len(asked) != 3 || asked[1] != "egress-conformance" || asked[0] == "" || asked[2] != "true" {
		t.Errorf("leftovers looked up for %v, want the run id, cluster egress-conformance and its deletion", asked)
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
		left   leftoversFunc
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
		{"no cluster property", dropProperty("cluster"), nothingLeft, "records no run-id, cluster, cluster-created or cluster-kept property"},
		{"no cluster-created property", dropProperty("cluster-created"), nothingLeft, "records no run-id, cluster, cluster-created or cluster-kept property"},
		{"the cluster left behind", func([]map[string]any) {}, func(context.Context, string, string, bool) ([]string, error) {
			return []string{"kind-cluster/egress-conformance"}, nil
		}, "left kind-cluster/egress-conformance behind"},
		{"a reused cluster: what the run left inside it, not its deletion", setProperty("cluster-created", "false"), func(_ context.Context, _, name string, deletes bool) ([]string, error) {
			if deletes {
				return []string{"kind-cluster/" + name + " (asked about deleting a cluster the run reused)"}, nil
			}
			return []string{name + "/namespace/egr-x"}, nil
		}, "left egress-conformance/namespace/egr-x behind"},
		{"a kept cluster: the same", setProperty("cluster-kept", "true"), func(_ context.Context, _, name string, deletes bool) ([]string, error) {
			if deletes {
				return []string{"kind-cluster/" + name + " (asked about deleting a kept cluster)"}, nil
			}
			return []string{name + "/coredns hosts block of run x"}, nil
		}, "left egress-conformance/coredns hosts block of run x behind"},
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

// dropProperty removes the suite property key from the report's entries.
func dropProperty(key string) func(specs []map[string]any) {
	return func(specs []map[string]any) {
		for _, s := range specs {
			if entries, ok := s["ReportEntries"].([]any); ok {
				var kept []any
				for _, e := range entries {
					if e.(map[string]any)["Name"] != "property:"+key {
						kept = append(kept, e)
					}
				}
				s["ReportEntries"] = kept
			}
		}
	}
}

// setProperty gives the suite property key the value v.
func setProperty(key, v string) func(specs []map[string]any) {
	return func(specs []map[string]any) {
		for _, s := range specs {
			entries, _ := s["ReportEntries"].([]any)
			for _, e := range entries {
				if m := e.(map[string]any); m["Name"] == "property:"+key {
					m["Value"] = map[string]any{"AsJSON": fmt.Sprintf("%q", v), "Representation": v}
				}
			}
		}
	}
}
