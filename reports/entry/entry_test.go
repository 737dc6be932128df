package entry

import (
	"testing"
	"time"
)

// Every entry reads back as it was written, and names of other entries are not taken for it.
func TestEntriesReadBackAsWritten(t *testing.T) {
	p := Property("istio-version", "1.32.0")
	if k, ok := PropertyKey(p.Name); !ok || k != "istio-version" || p.Value != "1.32.0" {
		t.Errorf("property %+v read back as %q %v", p, k, ok)
	}
	if _, ok := PropertyKey(string(Scenario)); ok {
		t.Error("a scenario entry is not a property")
	}
	tm := Timing("Istio 1.32.0", 2300*time.Millisecond)
	if s, ok := TimingStep(tm.Name); !ok || s != "Istio 1.32.0" {
		t.Errorf("timing %+v read back as step %q %v", tm, s, ok)
	}
	if d, ok := ParseTiming(tm.Value); !ok || d != 2300*time.Millisecond {
		t.Errorf("timing value %q read back as %v %v", tm.Value, d, ok)
	}
	if _, ok := ParseTiming("soon"); ok {
		t.Error(`"soon" is not a duration`)
	}
	a := Attempt("attempt 3: HTTP 200, curl exit 0, 0.01s", "/a/scenarios/s/p/attempt-3.json")
	if !Is(a.Name, Evidence) || ParseAttempt(a.Value) != "/a/scenarios/s/p/attempt-3.json" {
		t.Errorf("attempt %+v read back as path %q", a, ParseAttempt(a.Value))
	}
	for _, v := range []string{"attempt 1: HTTP 000; nothing written", "no path at all", ""} {
		if p := ParseAttempt(v); p != "" {
			t.Errorf("%q names no file, read %q", v, p)
		}
	}
	for n := 1; n <= 3; n++ {
		if got, ok := ParsePhaseLabel(PhaseLabel(n)); !ok || got != n {
			t.Errorf("phase label %q read back as %d %v", PhaseLabel(n), got, ok)
		}
	}
	for _, l := range []string{"phase:0", "phase:x", "serial", "phase:"} {
		if _, ok := ParsePhaseLabel(l); ok {
			t.Errorf("%q is not a phase label", l)
		}
	}
}

// A part of another shape is reported as unreadable, not dropped unseen (lab-check fails on it).
func TestParseProxiesNamesWhatItCannotRead(t *testing.T) {
	ps, bad := ParseProxies([]string{"gateway istio-system/gw: 1.32.0, reports 1.32.0; gateway ns/pod: 1.32.0"})
	if len(ps) != 1 || ps[0].Pod != "istio-system/gw" || len(bad) != 1 || bad[0] != "gateway ns/pod: 1.32.0" {
		t.Errorf("got %+v, unreadable %q", ps, bad)
	}
	for _, s := range []string{"", "gateway", "ns/pod: 1.32.0, reports 1.32.0"} {
		if _, ok := ParseProxyRelease(s); ok {
			t.Errorf("%q is not a proxy", s)
		}
	}
	if p, ok := ParseProxyRelease(ProxyRelease{Role: "gateway", Pod: "a/b", Release: "1.32.0"}.String()); !ok || p.Reported != "" {
		t.Errorf("a proxy that reports nothing read back as %+v %v", p, ok)
	}
}
