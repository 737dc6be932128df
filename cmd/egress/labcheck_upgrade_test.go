package main

// L0: lab-check on the Ginkgo JSON report of a real `make e2e-upgrade-lab` run on live proxies
// (captured in testdata: build A 1.31.0-dev.b01690e6db7d upgraded in place to build B
// 1.31.0-rc.eed52ebb66ad, upstream Envoy 1.39.3, a cluster the run created and deleted), and
// on that report altered the ways a broken upgrade run would differ.

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/egressconformance/iec/reports/entry"
)

const labUpgradeReport = "testdata/lab-upgrade-ginkgo-report.json.gz"

// upgradeReport writes the recorded upgrade report, altered by f, to a file and returns its path.
func upgradeReport(t *testing.T, f func(specs []map[string]any)) string {
	t.Helper()
	gz, err := os.Open(labUpgradeReport)
	if err != nil {
		t.Fatal(err)
	}
	defer gz.Close()
	zr, err := gzip.NewReader(gz)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return alterReport(t, b, f)
}

// inPhase says whether a spec report belongs to the upgrade's phase n.
func inPhase(s map[string]any, n int) bool {
	for _, ls := range asSlice(s["ContainerHierarchyLabels"]) {
		for _, l := range asSlice(ls) {
			if l == entry.PhaseLabel(n) {
				return true
			}
		}
	}
	return false
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}

func TestLabCheckAcceptsTheRecordedUpgradeRun(t *testing.T) {
	var out bytes.Buffer
	if err := labCheck(context.Background(), upgradeReport(t, func([]map[string]any) {}), &out, nothingLeft); err != nil {
		t.Fatalf("the recorded upgrade lab run fails lab-check: %v\n%s", err, out.String())
	}
	for _, want := range []string{
		"phase 1: 40 probes passed", "phase 2: 23 probes passed, 20 proxy versions checked", "phase 3: 23 probes passed, 38 proxy versions checked",
		"skipped in phases 2-3: verified in phase 1 only 34",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("lab-check output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestLabCheckRejectsBrokenUpgradeRuns(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(specs []map[string]any)
		want   string
	}{
		{"a sidecar already on B in phase 2", func(specs []map[string]any) {
			for _, s := range specs {
				for _, e := range asSlice(s["ReportEntries"]) {
					e := e.(map[string]any)
					if e["Name"] != string(entry.Proxies) || !inPhase(s, 2) {
						continue
					}
					v := e["Value"].(map[string]any)
					rep := strings.Replace(v["Representation"].(string), "reports 1.31.0-dev.b01690e6db7d", "reports 1.31.0-rc.eed52ebb66ad", 1)
					v["Representation"] = rep
					return
				}
			}
		}, `reports "1.31.0-rc.eed52ebb66ad", want 1.31.0-dev.b01690e6db7d`},
		{"a phase-3 probe skipped for another reason", func(specs []map[string]any) {
			for _, s := range specs {
				if s["State"] == "passed" && inPhase(s, 3) {
					s["State"] = "skipped"
					s["Failure"] = map[string]any{"Message": "the moon is full"}
					return
				}
			}
		}, "was skipped: the moon is full"},
		{"phase 3 judged nothing", func(specs []map[string]any) {
			for _, s := range specs {
				if s["State"] == "passed" && inPhase(s, 3) {
					s["State"] = "skipped"
					s["Failure"] = map[string]any{"Message": "verified in phase 1 only: a later probe of the scenario applies more config, so this expectation does not hold against the scenario's complete config, which the later phases keep"}
				}
			}
		}, "phase 3 of the upgrade 1.31.0-dev.b01690e6db7d → 1.31.0-rc.eed52ebb66ad passed no probe"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			err := labCheck(context.Background(), upgradeReport(t, tc.change), &out, nothingLeft)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("lab-check = %v; want an error with %q\n%s", err, tc.want, out.String())
			}
		})
	}
}
