package config

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/egressconformance/iec/harness/version"
)

func load(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	l := NewLoader(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return l.Load(func(k string) string { return env[k] })
}

// fakeIstioctl is an executable file standing in for an istioctl (validation checks only
// that the path is one).
func fakeIstioctl(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "istioctl")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDefaultsAreValid(t *testing.T) {
	c, err := load(t, nil)
	if err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
	if c.Mode != Hermetic || c.Istio.Version != DefaultIstioVersion || c.RunID == "" {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestPrecedenceFileEnvFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "c.yaml")
	os.WriteFile(file, []byte("mode: internet\nistio:\n  version: 1.30.2\n  hub: file.example/istio\nintervals:\n  poll: 2s\nconverge: 5\n"), 0o600)
	c, err := load(t, map[string]string{
		"EGRESS_CONFIG":        file,
		"EGRESS_ISTIO_VERSION": "1.31.3", // env beats file
		"EGRESS_CONVERGE":      "4",
	}, "-egress.converge=2") // flag beats env
	if err != nil {
		t.Fatal(err)
	}
	if c.Mode != Internet || c.Istio.Hub != "file.example/istio" || c.Intervals.Poll != 2*time.Second {
		t.Errorf("file values not applied: %+v", c)
	}
	if c.Istio.Version != "1.31.3" {
		t.Errorf("env must beat file: version %s", c.Istio.Version)
	}
	if c.Converge != 2 {
		t.Errorf("flag must beat env: converge %d", c.Converge)
	}
}

// Every bad input gets one message that names the setting and says what to do.
func TestBadInputsNameTheSettingAndTheFix(t *testing.T) {
	dir := t.TempDir()
	notYAML := filepath.Join(dir, "bad.yaml")
	os.WriteFile(notYAML, []byte("mode: [unclosed\n"), 0o600)
	unknown := filepath.Join(dir, "unknown.yaml")
	os.WriteFile(unknown, []byte("istio:\n  versoin: 1.31.1\n"), 0o600)
	istioctl := fakeIstioctl(t)
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"malformed istio version", map[string]string{"EGRESS_ISTIO_VERSION": "1.31"[:3] + "x"}, []string{"EGRESS_ISTIO_VERSION", "not a release version", "1.31.1"}},
		{"unsupported istio version", map[string]string{"EGRESS_ISTIO_VERSION": "1.20.1"}, []string{"EGRESS_ISTIO_VERSION", "not supported", "1.30, 1.31, 1.32", "EGRESS_ISTIOCTL"}},
		{"unknown mode", map[string]string{"EGRESS_MODE": "offline"}, []string{"EGRESS_MODE", `unknown mode "offline"`, "hermetic"}},
		{"bad duration", map[string]string{"EGRESS_INTERVAL_PROPAGATION": "two minutes"}, []string{"EGRESS_INTERVAL_PROPAGATION", "not a duration", "90s"}},
		{"bad boolean", map[string]string{"EGRESS_CLUSTER_REUSE": "yes please"}, []string{"EGRESS_CLUSTER_REUSE", "not a boolean"}},
		{"bad whole number", map[string]string{"EGRESS_CONVERGE": "3.5"}, []string{"EGRESS_CONVERGE", `"3.5" is not a whole number`}},
		{"bad byte count", map[string]string{"EGRESS_BUNDLE_MAX_BYTES": "8MiB"}, []string{"EGRESS_BUNDLE_MAX_BYTES", `"8MiB" is not a whole number`}},
		{"malformed image", map[string]string{"EGRESS_IMAGE_SQUID": "Squid:Latest:Now"}, []string{"EGRESS_IMAGE_SQUID", "not an image reference", "[registry/]repository"}},
		{"bad digest", map[string]string{"EGRESS_IMAGE_CURL": "curlimages/curl@sha256:abc"}, []string{"EGRESS_IMAGE_CURL", "not an image reference"}},
		{"unreadable file", map[string]string{"EGRESS_CONFIG": filepath.Join(dir, "missing.yaml")}, []string{"missing.yaml", "cannot be read", "EGRESS_CONFIG"}},
		{"file not yaml", map[string]string{"EGRESS_CONFIG": notYAML}, []string{"bad.yaml", "not valid YAML"}},
		{"unknown key in file", map[string]string{"EGRESS_CONFIG": unknown}, []string{`unknown setting "istio.versoin"`}},
		{"tiny probe timeout", map[string]string{"EGRESS_INTERVAL_PROBE": "1s"}, []string{"EGRESS_INTERVAL_PROBE", "1s is out of range", "use 6s to 5m"}},
		{"bad cluster name", map[string]string{"EGRESS_CLUSTER_NAME": "My_Cluster"}, []string{"EGRESS_CLUSTER_NAME", "not a valid kind cluster name"}},
		{"malformed upgrade version", map[string]string{"EGRESS_ISTIO_VERSION": "1.30.2", "EGRESS_ISTIO_UPGRADE_TO": "latest"},
			[]string{"EGRESS_ISTIO_UPGRADE_TO (istio.upgradeTo)", "not a release version", "1.31.1"}},
		{"upgrade to the same release", map[string]string{"EGRESS_ISTIO_VERSION": "1.31.1", "EGRESS_ISTIO_UPGRADE_TO": "1.31.1"},
			[]string{"EGRESS_ISTIO_UPGRADE_TO (istio.upgradeTo)", "not later than istio.version 1.31.1", "give a later release", "unset istio.upgradeTo"}},
		{"downgrade", map[string]string{"EGRESS_ISTIO_VERSION": "1.31.1", "EGRESS_ISTIO_UPGRADE_TO": "1.30.2"},
			[]string{"EGRESS_ISTIO_UPGRADE_TO", "1.30.2 is not later than istio.version 1.31.1"}},
		{"upgrade across two minors", map[string]string{"EGRESS_ISTIO_VERSION": "1.30.4", "EGRESS_ISTIO_UPGRADE_TO": "1.32.0"},
			[]string{"EGRESS_ISTIO_UPGRADE_TO", "from 1.30.4 to 1.32.0 skips 1.31:", "at most one minor earlier", "start from a 1.31 release", "1.30 → 1.31, 1.31 → 1.32"}},
		{"upgrade across a major", map[string]string{"EGRESS_ISTIO_VERSION": "1.32.0", "EGRESS_ISTIO_UPGRADE_TO": "2.0.0", "EGRESS_ISTIO_UPGRADE_ISTIOCTL": istioctl},
			[]string{"EGRESS_ISTIO_UPGRADE_TO", "changes the major release", "does not gate upgrades from 1.32 yet"}},
		{"upgrade across a major from an older minor", map[string]string{"EGRESS_ISTIO_VERSION": "1.31.2", "EGRESS_ISTIO_UPGRADE_TO": "2.0.0", "EGRESS_ISTIO_UPGRADE_ISTIOCTL": istioctl},
			[]string{"EGRESS_ISTIO_UPGRADE_TO", "changes the major release", "gate a release of 1.32 instead"}},
		{"unsupported upgrade target", map[string]string{"EGRESS_ISTIO_VERSION": "1.32.0", "EGRESS_ISTIO_UPGRADE_TO": "1.33.0"},
			[]string{"EGRESS_ISTIO_UPGRADE_TO", "Istio 1.33.0 is not supported", "1.30, 1.31, 1.32", "EGRESS_ISTIO_UPGRADE_ISTIOCTL"}},
		{"one tag for both releases", map[string]string{"EGRESS_ISTIO_VERSION": "1.30.2", "EGRESS_ISTIO_UPGRADE_TO": "1.31.1", "EGRESS_ISTIO_TAG": "1.30.2-distroless"},
			[]string{"EGRESS_ISTIO_TAG (istio.tag)", "both releases of the upgrade", "unset it"}},
		{"upstream Envoy without a proxy", map[string]string{"EGRESS_ISTIO_UPSTREAM_ENVOY": "true", "EGRESS_ISTIO_CONTROL_PLANE_ONLY": "true"},
			[]string{"EGRESS_ISTIO_UPSTREAM_ENVOY (istio.upstreamEnvoy)", "istio.controlPlaneOnly", "drop one of them"}},
		{"no NetworkPolicy bound", map[string]string{"EGRESS_INTERVAL_NETWORK_POLICY": "0s"}, []string{"EGRESS_INTERVAL_NETWORK_POLICY", "0s is out of range", "use 5s to 30m"}},
		{"upgrade istioctl without upgrade", map[string]string{"EGRESS_ISTIO_UPGRADE_ISTIOCTL": istioctl},
			[]string{"EGRESS_ISTIO_UPGRADE_ISTIOCTL (istio.upgradeIstioctl)", "only used by an upgrade", "EGRESS_ISTIO_UPGRADE_TO"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := load(t, tc.env)
			if err == nil {
				t.Fatal("accepted bad input")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("message lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestBadFlagNamesTheFlag(t *testing.T) {
	_, err := load(t, nil, "-egress.intervals.poll=soon")
	if err == nil || !strings.Contains(err.Error(), "-egress.intervals.poll") {
		t.Fatalf("want an error naming the flag, got %v", err)
	}
}

func TestRegistryOverride(t *testing.T) {
	c := Default()
	c.Images.Registry = "mirror.corp:5000/hub"
	if got, want := c.Image("curl"), "mirror.corp:5000/hub/curlimages/curl:8.16.0@sha256:463eaf6072688fe96ac64fa623fe73e1dbe25d8ad6c34404a669ad3ce1f104b6"; got != want {
		t.Errorf("registry rewrite: got %s want %s", got, want)
	}
	c.Images.Squid = "egress-lab/squid:5.7" // an individual override wins over the registry
	if got := c.Image("squid"); got != "egress-lab/squid:5.7" {
		t.Errorf("individual override lost: %s", got)
	}
	if got := (Config{Images: Images{Echo: DefaultEchoImage}}).Image("echo"); got != DefaultEchoImage {
		t.Errorf("no registry must leave the image alone: %s", got)
	}
}

func TestEverySettingRoundTrips(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range Settings {
		for _, n := range append([]Names{s.names()}, s.Aliases...) {
			for _, k := range []string{n.Key, n.Env, n.Flag} {
				if seen[k] {
					t.Errorf("duplicate setting name %s", k)
				}
				seen[k] = true
			}
		}
		c := Default()
		if err := s.set(&c, s.get(&c)); err != nil {
			t.Errorf("%s: default value %q does not round-trip: %v", s.Key, s.get(&c), err)
		}
	}
}

func TestUpgradeSettings(t *testing.T) {
	ciFrom, ciTo := UpgradePair()
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"previous minor to the default", map[string]string{"EGRESS_ISTIO_VERSION": "1.31.0", "EGRESS_ISTIO_UPGRADE_TO": DefaultIstioVersion}},
		{"the upgrade CI gates", map[string]string{"EGRESS_ISTIO_VERSION": ciFrom, "EGRESS_ISTIO_UPGRADE_TO": ciTo}},
		{"a patch release", map[string]string{"EGRESS_ISTIO_VERSION": "1.31.0", "EGRESS_ISTIO_UPGRADE_TO": "1.31.1"}},
		{"to a pre-release with its own istioctl", map[string]string{"EGRESS_ISTIO_VERSION": "1.32.0", "EGRESS_ISTIO_UPGRADE_TO": "1.33.0-beta.0", "EGRESS_ISTIO_UPGRADE_ISTIOCTL": fakeIstioctl(t)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := load(t, tc.env)
			if err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !c.Upgrading() || c.Istio.UpgradeTo != tc.env["EGRESS_ISTIO_UPGRADE_TO"] {
				t.Errorf("upgrade not configured: %+v", c.Istio)
			}
		})
	}
	c, err := load(t, nil)
	if err != nil || c.Upgrading() {
		t.Errorf("the default run must not upgrade: %v %+v", err, c.Istio)
	}
	// The flag and the file reach the same setting.
	c, err = load(t, map[string]string{"EGRESS_ISTIO_VERSION": "1.30.0"}, "-egress.istio.upgradeTo=1.31.1")
	if err != nil || c.Istio.UpgradeTo != "1.31.1" {
		t.Errorf("flag: %v %+v", err, c.Istio)
	}
}

// docs/configuration.md's table lists every setting with its key and environment variable.
func TestConfigurationTableListsEverySetting(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("..", "..", "docs", "configuration.md"))
	if err != nil {
		t.Fatalf("reading docs/configuration.md: %v", err)
	}
	for _, s := range Settings {
		if row := "| " + s.Key + " | " + s.Env + " |"; !strings.Contains(string(raw), row) {
			t.Errorf("docs/configuration.md's table has no row starting %q", row)
		}
		for _, a := range s.Aliases {
			if row := "| " + a.Key + " | " + a.Env + " | " + s.Key + ", " + s.Env + " |"; !strings.Contains(string(raw), row) {
				t.Errorf("docs/configuration.md's former names have no row %q", row)
			}
		}
	}
}

// Every pinned release is accepted as it is (no istioctl needed), the default is the newest,
// and each minor appears once, oldest first: the list the CI matrix is checked against.
func TestIstioReleasesAreOneConsistentList(t *testing.T) {
	if got := IstioReleases[len(IstioReleases)-1]; got != DefaultIstioVersion {
		t.Fatalf("DefaultIstioVersion %s is not the newest of IstioReleases (%s)", DefaultIstioVersion, got)
	}
	if len(IstioReleases) != 3 {
		t.Fatalf("the suite supports the last three minors, IstioReleases has %d: %v", len(IstioReleases), IstioReleases)
	}
	for i, r := range IstioReleases {
		if _, err := load(t, map[string]string{"EGRESS_ISTIO_VERSION": r}); err != nil {
			t.Errorf("pinned release %s refused: %v", r, err)
		}
		if i > 0 {
			prev, cur := version.MustParse(IstioReleases[i-1]), version.MustParse(r)
			if cur.Major != prev.Major || cur.Minor != prev.Minor+1 {
				t.Errorf("IstioReleases must be consecutive minors, oldest first: %s then %s", prev, cur)
			}
		}
	}
	newest := version.MustParse(DefaultIstioVersion)
	next := fmt.Sprintf("%s.%d", newest.MinorString(), newest.Patch+1)
	if _, err := load(t, map[string]string{"EGRESS_ISTIO_VERSION": next}); err == nil || !strings.Contains(err.Error(), "not a release the suite knows") {
		t.Errorf("%s is past the newest known patch and must be refused without an istioctl: %v", next, err)
	}
}
