package reports

import (
	"os"
	"strings"
	"testing"
	"time"
)

func loadFile(t *testing.T, path string) *Run {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Load(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// The recorded lab run (every probe on live proxies: 40 passed, the 4 NetworkPolicy probes
// skipped) against the scripted mixed run, both ways, and against itself.
func TestCompareRecordedRuns(t *testing.T) {
	lab := loadFile(t, "../cmd/egress/testdata/lab-ginkgo-report.json")
	mixed := loadFile(t, "testdata/mixed.json")
	keys := func(cs []Change) string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Key.Scenario+"/"+c.Key.Probe)
		}
		return strings.Join(out, " ")
	}

	d, err := Compare(lab, mixed, 0.5, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := keys(d.NewlyFailing), "mtls-origination/client-certificate-accepted registry-only-blocks-unknown-host/http-gets-502 virtual-service-timeout-504/3s-timeout-answers-504"; got != want {
		t.Errorf("newly failing: %s\nwant %s", got, want)
	}
	if len(d.NoLongerJudged) != 7 || len(d.NewlyJudged) != 4 || len(d.NewlyPassing) != 0 || len(d.Slower) != 0 || !d.Regressed() {
		t.Errorf("lab → mixed: %d no longer judged, %d newly judged, %d newly passing, %d slower, regressed %v",
			len(d.NoLongerJudged), len(d.NewlyJudged), len(d.NewlyPassing), len(d.Slower), d.Regressed())
	}
	if n := len(d.NewlyFailing) + len(d.NoLongerJudged) + len(d.NewlyJudged) + d.Unchanged; n != 44 {
		t.Errorf("every probe is in one class: %d of 44", n)
	}

	back, _ := Compare(mixed, lab, 0.5, 5*time.Second)
	if len(back.NewlyPassing) != 3 || len(back.NewlyFailing) != 0 || len(back.NoLongerJudged) != 4 || len(back.NewlyJudged) != 7 {
		t.Errorf("mixed → lab: %d newly passing, %d newly failing, %d no longer judged, %d newly judged",
			len(back.NewlyPassing), len(back.NewlyFailing), len(back.NoLongerJudged), len(back.NewlyJudged))
	}
	// The scripted run takes milliseconds, the live one seconds: every probe passed in both
	// is slower beyond 50% and 5 s, which regresses.
	if len(back.Slower) == 0 || !back.Regressed() {
		t.Errorf("mixed → lab: %d slower, regressed %v", len(back.Slower), back.Regressed())
	}

	same, _ := Compare(lab, lab, 0.5, 5*time.Second)
	if same.Regressed() || same.Unchanged != 44 {
		t.Errorf("a run against itself: regressed %v, %d unchanged", same.Regressed(), same.Unchanged)
	}
	if md := d.Markdown(); !strings.Contains(md, "REGRESSED") || !strings.Contains(md, "| mtls-origination / client-certificate-accepted | passed | failed |") {
		t.Errorf("markdown:\n%s", md)
	}
}

// The matrix of the recorded runs: one column per run, one row per probe of either, and the
// rows that differ marked.
func TestMergeRecordedRuns(t *testing.T) {
	lab := loadFile(t, "../cmd/egress/testdata/lab-ginkgo-report.json")
	mixed := loadFile(t, "testdata/mixed.json")
	m, err := Merge([]*Run{lab, mixed})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Columns) != 2 || m.Columns[0].Run.RunID != "69b112ed" || m.Columns[1].Run.RunID != "mixed-fixture" || len(m.Rows) != 44 {
		t.Fatalf("columns %v, %d rows", m.Columns, len(m.Rows))
	}
	md := m.Markdown()
	if n := strings.Count(md, "| ≠ |"); n != 14 { // 3 newly failing + 7 no longer judged + 4 newly judged
		t.Errorf("%d rows marked as differing, want 14:\n%s", n, md)
	}
	if !strings.Contains(md, "| registry-only-blocks-unknown-host | http-gets-502 | ≠ | ✅ passed | ❌ failed |") {
		t.Errorf("markdown:\n%s", md)
	}
	up, err := Merge([]*Run{loadFile(t, "testdata/upgrade-mixed.json")})
	if err != nil || len(up.Columns) != 3 || up.Columns[2].Phase != 3 {
		t.Errorf("an upgrade run's phases are columns: %v, %v", up.Columns, err)
	}
}
