package scenarios

import (
	"context"
	"strings"
	"testing"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/version"
)

// The plan is the one place a run decides what it skips: the scenario's own requirements, a
// missing data plane for the scenario or for each probe, and nothing else (the NetworkPolicy
// check, which needs a live cluster, is L3: the lab run's skipped scenario).
func TestPlanIn(t *testing.T) {
	ctx := context.Background()
	istio := version.MustParse("1.32.0")
	full := &fixtures.World{DataPlane: true, Istio: istio, Names: fixtures.Names{Hermetic: true}}
	noEnvoy := &fixtures.World{DataPlane: false, Istio: istio, Names: fixtures.Names{Hermetic: true}}
	old := &fixtures.World{DataPlane: true, Istio: version.MustParse("1.20.0"), Names: fixtures.Names{Hermetic: true}}
	var someRun, noneRun int
	for _, sc := range All() {
		if sc.Requires.NetworkPolicy {
			continue
		}
		pl, err := sc.PlanIn(ctx, full)
		if err != nil || pl.Skip != "" || len(pl.ProbeSkips) != len(sc.Probes) {
			t.Errorf("%s with a data plane: plan %+v, err %v; want every probe to run", sc.Name, pl, err)
		}
		for i := range sc.Probes {
			if r := pl.ProbeSkip(i); r != "" {
				t.Errorf("%s probe %d skipped with a data plane: %s", sc.Name, i, r)
			}
		}
		pl, _ = sc.PlanIn(ctx, noEnvoy)
		runs := 0
		for _, p := range sc.Probes {
			if p.SkipReason(noEnvoy) == "" {
				runs++
			}
		}
		if runs > 0 {
			someRun++
		} else {
			noneRun++
		}
		if sc.Requires.Gateway || runs == 0 {
			if pl.Skip != fixtures.DataPlaneMissing {
				t.Errorf("%s without Envoy (%d probes could run): skip %q, want %q", sc.Name, runs, pl.Skip, fixtures.DataPlaneMissing)
			}
		} else {
			for i, p := range sc.Probes {
				if pl.ProbeSkip(i) != p.SkipReason(noEnvoy) {
					t.Errorf("%s/%s without Envoy: probe skip %q, want %q", sc.Name, p.Name, pl.ProbeSkip(i), p.SkipReason(noEnvoy))
				}
			}
		}
		if sc.Requires.MinIstio != "" {
			if pl, _ := sc.PlanIn(ctx, old); !strings.Contains(pl.Skip, "applies from Istio "+sc.Requires.MinIstio) {
				t.Errorf("%s on Istio 1.20: skip %q, want the release it needs", sc.Name, pl.Skip)
			}
		}
	}
	if someRun == 0 || noneRun == 0 {
		t.Errorf("the catalog should have scenarios of both kinds without Envoy: %d with runnable probes, %d without", someRun, noneRun)
	}
	if (Plan{}).ProbeSkip(3) != "" {
		t.Error("a plan that decided nothing skips nothing")
	}
	for _, c := range []struct {
		skips []string
		want  string
	}{{nil, ""}, {[]string{"a", "a"}, "a"}, {[]string{"a", ""}, ""}, {[]string{"a", "b"}, ""}} {
		if got := (Plan{ProbeSkips: c.skips}).sharedProbeSkip(); got != c.want {
			t.Errorf("sharedProbeSkip(%q) = %q, want %q", c.skips, got, c.want)
		}
	}
}
