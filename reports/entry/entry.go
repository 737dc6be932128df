// Package entry is the contract between the e2e suite, which records what its specs did as
// Ginkgo report entries, and the readers of its report: the sign-off reports, egress lab-check
// and capture-fixtures. Every entry has its name, its writer and its reader here, and nowhere
// else. The texts are those recorded runs already hold (reports/testdata), so their reports
// still load and render unchanged.
package entry

import (
	"strconv"
	"strings"
	"time"
)

// Name is the name of a report entry.
type Name string

// The entries a spec records. Suite properties and timings have names of their own
// (Property, Timing).
const (
	// Scenario is the scenario's id, on its container's first spec.
	Scenario Name = "scenario"
	// Source says where the scenario's expectations come from (its istio.io page).
	Source Name = "source"
	// Summary is the scenario's one-line summary.
	Summary Name = "summary"
	// Evidence is one probe attempt: what was observed, and the file holding the whole
	// observation (Attempt, ParseAttempt).
	Evidence Name = "evidence"
	// NotChecked is an expectation the run's mode cannot check, with the reason.
	NotChecked Name = "not-checked"
	// Proxy is a proxy the probe went through, with the Envoy version it reported.
	Proxy Name = "proxy"
	// Proxies are, in an upgrade run, the release each of the scenario's proxies runs
	// (Proxies, SplitProxies).
	Proxies Name = "proxies"
	// Reports are the sign-off files the run wrote.
	Reports Name = "reports"
	// Bundle is the folder of a failed spec's evidence bundle; BundleSkipped says why a
	// failed spec has none.
	Bundle        Name = "evidence-bundle"
	BundleSkipped Name = "evidence-bundle-skipped"
)

// Entry is one report entry as the suite adds it: a name and its text.
type Entry struct {
	Name  string
	Value string
}

// New is an entry of one of the names above.
func New(n Name, value string) Entry { return Entry{Name: string(n), Value: value} }

// Is says whether an entry read back from a report has name n.
func Is(name string, n Name) bool { return name == string(n) }

const (
	propertyPrefix = "property:"
	timingPrefix   = "timing:"
)

// Property is a suite property: the run's description, key=value (a JUnit property).
func Property(key, value string) Entry { return Entry{Name: PropertyName(key), Value: value} }

// PropertyName is the name of the entry that holds property key.
func PropertyName(key string) string { return propertyPrefix + key }

// PropertyKey is the property an entry of this name holds; ok is false for other entries.
func PropertyKey(name string) (key string, ok bool) { return strings.CutPrefix(name, propertyPrefix) }

// Timing is how long a step of the run took (a setup phase, the upgrade, a restart).
func Timing(step string, took time.Duration) Entry {
	return Entry{Name: TimingName(step), Value: took.String()}
}

// TimingName is the name of the entry that times step.
func TimingName(step string) string { return timingPrefix + step }

// TimingStep is the step an entry of this name times; ok is false for other entries.
func TimingStep(name string) (step string, ok bool) { return strings.CutPrefix(name, timingPrefix) }

// ParseTiming reads a timing entry's value; ok is false when it is not a duration.
func ParseTiming(value string) (time.Duration, bool) {
	d, err := time.ParseDuration(strings.TrimSpace(value))
	return d, err == nil
}

// attemptSep ends an evidence entry's note, before the file's path.
const attemptSep = "; "

// Attempt is the evidence entry of one probe attempt: note says what was observed, path is
// the file the whole observation went to.
func Attempt(note, path string) Entry { return New(Evidence, note+attemptSep+path) }

// ParseAttempt reads an evidence entry back: the path is its last "; "-separated part when
// that looks like a file; otherwise path is "" (an entry that names no file).
func ParseAttempt(value string) (path string) {
	last := value
	if i := strings.LastIndex(value, attemptSep); i >= 0 {
		last = value[i+len(attemptSep):]
	}
	last = strings.TrimSpace(last)
	if last != "" && !strings.ContainsAny(last, " \t\n") && (strings.Contains(last, "/") || strings.HasSuffix(last, ".json")) {
		return last
	}
	return ""
}

// phaseLabelPrefix starts the label of an upgrade phase's container.
const phaseLabelPrefix = "phase:"

// PhaseLabel is the Ginkgo label of upgrade phase n's container; the reports group by it.
func PhaseLabel(n int) string { return phaseLabelPrefix + strconv.Itoa(n) }

// ParsePhaseLabel is the phase a label names; ok is false for other labels.
func ParsePhaseLabel(l string) (n int, ok bool) {
	rest, ok := strings.CutPrefix(l, phaseLabelPrefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 1 {
		return 0, false
	}
	return n, true
}
