package main

// L0: lab-check on the Ginkgo JSON report of a real `make e2e-lab` run on live proxies
// (captured in testdata), and on that report altered the ways a broken run would differ.

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
	"github.com/egressconformance/iec/reports/entry"
)

// labReport is the Ginkgo JSON report of a real make e2e-lab run on the lab proxy, on a kept
// cluster it reused (EGRESS_CLUSTER_REUSE=true, as make test runs it); recordedPassed is how
// many of its probes passed.
const (
	labReport      = "testdata/lab-ginkgo-report.json"
	recordedPassed = "40"
)

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
	for _, want := range []string{"passed on live proxies                   " + recordedPassed, "skipped: the CNI does not enforce NetworkPolicy 4", "(reused or kept: left in place, without the run's namespaces and CoreDNS names): 0 leftovers"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab-check output lacks %q:\n%s", want, out.String())
		}
	}
	// The recorded run reused its cluster, which must be left in place.
	if len(asked) != 3 || asked[1] != "egress-conformance" || asked[0] == "" || asked[2] != "false" {
		t.Errorf("leftovers looked up for %v, want the run id, cluster egress-conformance, left in place", asked)
	}
	// A run that created its cluster and did not keep it (make e2e-lab on its own) must have
	// deleted it.
	asked = nil
	created := alter(t, func(specs []map[string]any) {
		setProperty("cluster-created", "true")(specs)
		setProperty("cluster-kept", "false")(specs)
	})
	if err := labCheck(context.Background(), created, &out, left); err != nil || len(asked) != 3 || asked[2] != "true" {
		t.Errorf("a created, not kept cluster: lab-check %v, leftovers looked up for %v", err, asked)
	}
}

// alter rewrites the recorded report's spec reports with f and returns the new file's path.
func alter(t *testing.T, f func(specs []map[string]any)) string {
	t.Helper()
	b, err := os.ReadFile(labReport)
	if err != nil {
		t.Fatal(err)
	}
	return alterReport(t, b, f)
}

// alterReport rewrites the spec reports of a Ginkgo JSON report with f into a new file.
func alterReport(t *testing.T, b []byte, f func(specs []map[string]any)) string {
	t.Helper()
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
		{"a probe skipped for want of a data plane", skipFirstPassed(fixtures.DataPlaneMissing), nothingLeft, "was skipped for want of a data plane"},
		{"a probe skipped for another reason", skipFirstPassed("the moon is full"), nothingLeft, "was skipped: the moon is full"},
		{"no proxy judged", setProperty("proxy", ""), nothingLeft, "judged no live data plane"},
		{"control plane only", setProperty("data-plane", "false"), nothingLeft, "judged no live data plane"},
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

// skipFirstPassed reports the first passed probe skipped, with reason.
func skipFirstPassed(reason string) func(specs []map[string]any) {
	return func(specs []map[string]any) {
		for _, s := range specs {
			if s["State"] == "passed" && s["LeafNodeType"] == "It" {
				s["State"] = "skipped"
				s["Failure"] = map[string]any{"Message": reason}
				return
			}
		}
	}
}

// dropProperty removes the suite property key from the report's entries.
func dropProperty(key string) func(specs []map[string]any) {
	return func(specs []map[string]any) {
		for _, s := range specs {
			if entries, ok := s["ReportEntries"].([]any); ok {
				var kept []any
				for _, e := range entries {
					if e.(map[string]any)["Name"] != entry.PropertyName(key) {
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
				if m := e.(map[string]any); m["Name"] == entry.PropertyName(key) {
					m["Value"] = map[string]any{"AsJSON": fmt.Sprintf("%q", v), "Representation": v}
				}
			}
		}
	}
}
