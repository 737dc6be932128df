package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFile writes a config file and returns the environment that names it.
func writeFile(t *testing.T, text string) map[string]string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return map[string]string{FileEnv: p}
}

// The attempt cap and the bundle caps are separate settings, with the defaults the single
// evidenceMaxBytes and evidenceMaxDumps had.
func TestBundleSettings(t *testing.T) {
	c, err := load(t, nil)
	if err != nil || c.EvidenceMaxBytes != 8<<20 || c.BundleMaxBytes != 8<<20 || c.BundleMaxCount != 5 || len(c.Deprecated) > 0 {
		t.Fatalf("defaults: %v evidence %d, bundle %d bytes, %d bundles, deprecated %v", err, c.EvidenceMaxBytes, c.BundleMaxBytes, c.BundleMaxCount, c.Deprecated)
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
	}{
		{"file", writeFile(t, "evidenceMaxBytes: 100000\nbundleMaxBytes: 200000\nbundleMaxCount: 7\n"), nil},
		{"environment", map[string]string{"EGRESS_EVIDENCE_MAX_BYTES": "100000", "EGRESS_BUNDLE_MAX_BYTES": "200000", "EGRESS_BUNDLE_MAX_COUNT": "7"}, nil},
		{"flags", nil, []string{"-egress.evidenceMaxBytes=100000", "-egress.bundleMaxBytes=200000", "-egress.bundleMaxCount=7"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.env, tc.args...)
			if err != nil || c.EvidenceMaxBytes != 100000 || c.BundleMaxBytes != 200000 || c.BundleMaxCount != 7 {
				t.Errorf("%v: evidence %d, bundle %d bytes, %d bundles", err, c.EvidenceMaxBytes, c.BundleMaxBytes, c.BundleMaxCount)
			}
		})
	}
	for env, want := range map[string]string{
		"EGRESS_BUNDLE_MAX_BYTES": "EGRESS_BUNDLE_MAX_BYTES (bundleMaxBytes): 65535 bytes is out of range",
		"EGRESS_BUNDLE_MAX_COUNT": "EGRESS_BUNDLE_MAX_COUNT (bundleMaxCount): 1001 failure bundles is out of range: use 0 (none) to 1000",
	} {
		v := map[string]string{"EGRESS_BUNDLE_MAX_BYTES": "65535", "EGRESS_BUNDLE_MAX_COUNT": "1001"}[env]
		if _, err := load(t, map[string]string{env: v}); err == nil || !strings.Contains(err.Error(), want) || strings.Contains(err.Error(), "EVIDENCE") {
			t.Errorf("%s=%s: want %q alone, got %v", env, v, want, err)
		}
	}
}

// evidenceMaxDumps, the former name of bundleMaxCount, still sets it from each layer, and
// each use is a deprecation that names the current name in that layer.
func TestFormerNameSetsTheSettingAndIsReported(t *testing.T) {
	file := writeFile(t, "mode: hermetic\nevidenceMaxDumps: 2\n")
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"file", file, nil, file[FileEnv] + ":2: evidenceMaxDumps is deprecated: it is the former name of bundleMaxCount (EGRESS_BUNDLE_MAX_COUNT) and still sets it for now: rename it to bundleMaxCount"},
		{"environment", map[string]string{"EGRESS_EVIDENCE_MAX_DUMPS": "2"}, nil, "EGRESS_EVIDENCE_MAX_DUMPS is deprecated: it is the former name of bundleMaxCount (EGRESS_BUNDLE_MAX_COUNT) and still sets it for now: rename it to EGRESS_BUNDLE_MAX_COUNT"},
		{"flag", nil, []string{"-egress.evidenceMaxDumps=2"}, "-egress.evidenceMaxDumps is deprecated: it is the former name of bundleMaxCount (EGRESS_BUNDLE_MAX_COUNT) and still sets it for now: rename it to -egress.bundleMaxCount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.env, tc.args...)
			if err != nil || c.BundleMaxCount != 2 {
				t.Fatalf("%v: %d bundles, want 2", err, c.BundleMaxCount)
			}
			if len(c.Deprecated) != 1 || c.Deprecated[0].String() != tc.want || !c.Deprecated[0].InEffect {
				t.Errorf("deprecations %q, want [%q]", c.Deprecated, tc.want)
			}
		})
	}
	// The environment check knows the former variable, and points a misspelt one at the new name.
	l := NewLoader(flag.NewFlagSet("t", flag.ContinueOnError))
	if c, err := l.LoadEnviron([]string{"EGRESS_EVIDENCE_MAX_DUMPS=0"}); err != nil || c.BundleMaxCount != 0 {
		t.Errorf("EGRESS_EVIDENCE_MAX_DUMPS=0 refused or lost: %v %d", err, c.BundleMaxCount)
	}
	if errs := UnknownEnv([]string{"EGRESS_EVIDENCE_MAX_DUMP=1"}); len(errs) != 1 || !strings.Contains(errs[0].Error(), "did you mean EGRESS_BUNDLE_MAX_COUNT?") {
		t.Errorf("misspelt former name: %v", errs)
	}
}

// Within one layer the two names must agree: a different value is refused, naming both and
// what to do; the same value is accepted (nothing to reconcile), and still reported, though
// not as the name in effect (the current one is given too).
func TestFormerAndCurrentNameInOneLayer(t *testing.T) {
	for _, tc := range []struct {
		name     string
		env      map[string]string
		args     []string
		want     []string
		sameEnv  map[string]string
		sameArgs []string
	}{
		{"file", writeFile(t, "evidenceMaxDumps: 3\nbundleMaxCount: 4\n"), nil,
			[]string{":2: bundleMaxCount: 4 and ", ":1: evidenceMaxDumps: 3 disagree: both set bundleMaxCount (evidenceMaxDumps is its former name): delete evidenceMaxDumps and give bundleMaxCount the value you mean"},
			writeFile(t, "evidenceMaxDumps: 3\nbundleMaxCount: 3\n"), nil},
		{"environment", map[string]string{"EGRESS_EVIDENCE_MAX_DUMPS": "3", "EGRESS_BUNDLE_MAX_COUNT": "4"}, nil,
			[]string{"EGRESS_BUNDLE_MAX_COUNT=4 and EGRESS_EVIDENCE_MAX_DUMPS=3 disagree: both set bundleMaxCount (EGRESS_EVIDENCE_MAX_DUMPS is its former name): unset EGRESS_EVIDENCE_MAX_DUMPS and give EGRESS_BUNDLE_MAX_COUNT the value you mean"},
			map[string]string{"EGRESS_EVIDENCE_MAX_DUMPS": "3", "EGRESS_BUNDLE_MAX_COUNT": "03"}, nil},
		{"flags", nil, []string{"-egress.evidenceMaxDumps=3", "-egress.bundleMaxCount=4"},
			[]string{"-egress.bundleMaxCount=4 and -egress.evidenceMaxDumps=3 disagree", "drop -egress.evidenceMaxDumps and give -egress.bundleMaxCount the value you mean"},
			nil, []string{"-egress.evidenceMaxDumps=3", "-egress.bundleMaxCount=3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.env, tc.args...)
			if err == nil {
				t.Fatal("two values for bundleMaxCount accepted")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%v", w, err)
				}
			}
			c, err := load(t, tc.sameEnv, tc.sameArgs...)
			if err != nil || c.BundleMaxCount != 3 || len(c.Deprecated) != 1 || c.Deprecated[0].InEffect {
				t.Errorf("the same value under both names: %v, %d bundles, deprecations %v", err, c.BundleMaxCount, c.Deprecated)
			}
		})
	}
}

// Across layers the usual precedence holds, and a bad value names the former name only when
// it is the one in effect.
func TestFormerNameAcrossLayers(t *testing.T) {
	file := writeFile(t, "evidenceMaxDumps: 3\n")
	env := map[string]string{FileEnv: file[FileEnv], "EGRESS_BUNDLE_MAX_COUNT": "4"}
	c, err := load(t, env)
	if err != nil || c.BundleMaxCount != 4 || len(c.Deprecated) != 1 || c.Deprecated[0].InEffect {
		t.Fatalf("the environment must beat the file's former name, still reported: %v %d %+v", err, c.BundleMaxCount, c.Deprecated)
	}
	env["EGRESS_BUNDLE_MAX_COUNT"] = "-1"
	if _, err := load(t, env); err == nil || !strings.Contains(err.Error(), "EGRESS_BUNDLE_MAX_COUNT (bundleMaxCount): -1") {
		t.Errorf("want the current name alone, got %v", err)
	}
	_, err = load(t, map[string]string{"EGRESS_EVIDENCE_MAX_DUMPS": "-1"})
	if want := "EGRESS_BUNDLE_MAX_COUNT (bundleMaxCount, given as its former name EGRESS_EVIDENCE_MAX_DUMPS): -1 failure bundles is out of range"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("want %q, got %v", want, err)
	}
}
