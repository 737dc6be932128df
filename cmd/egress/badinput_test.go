package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/version"
)

// Every bad input is caught by the configuration check that runs before anything is built or
// created (make e2e runs `egress preflight -config-only` first): exit 2, one message that
// names the setting, the bad value and the fix, and nothing left on disk.
func TestPreflightRefusesBadInputBeforeAnything(t *testing.T) {
	dir := t.TempDir()
	def := config.DefaultIstioVersion
	defMinor := version.MustParse(def).MinorString()
	write := func(name, text string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	notExec := write("istioctl-noexec", "#!/bin/sh\n", 0o644)
	istioctl := write("istioctl", "#!/bin/sh\n", 0o755)
	aFile := write("a-file", "x", 0o644)
	floatVersion := write("float.yaml", "istio:\n  version: 1.30\n", 0o644)
	dupKeys := write("dup.yaml", "mode: hermetic\nistio:\n  version: 1.31.1\n  version: 1.30.2\n", 0o644)
	typo := write("typo.yaml", "istio:\n  versoin: 1.31.1\n", 0o644)
	list := write("list.yaml", "istio:\n  hub: [a, b]\n", 0o644)
	notYAML := write("bad.yaml", "mode: [unclosed\n", 0o644)

	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want []string // all in the message: the setting, the bad value, the fix
		not  []string // blamed wrongly before
	}{
		{"misspelt variable", env("EGRESS_ISTIO_VERISON", "1.31.1"), nil, []string{"EGRESS_ISTIO_VERISON", "unknown variable", "did you mean EGRESS_ISTIO_VERSION?", "unset it"}, nil},
		{"misspelt interval", env("EGRESS_INTERVAL_PROPAGATON", "1m"), nil, []string{"EGRESS_INTERVAL_PROPAGATON", "did you mean EGRESS_INTERVAL_PROPAGATION?"}, nil},
		{"istioctl missing", env("EGRESS_ISTIOCTL", "/nonexistent/istioctl"), nil, []string{"EGRESS_ISTIOCTL", "/nonexistent/istioctl", "does not exist", "give the path of an istioctl binary"}, nil},
		{"istioctl not executable", env("EGRESS_ISTIOCTL", notExec), nil, []string{"EGRESS_ISTIOCTL", notExec, "not executable", "chmod +x"}, nil},
		{"istioctl a directory", env("EGRESS_ISTIOCTL", dir), nil, []string{"EGRESS_ISTIOCTL", "is a directory"}, nil},
		{"release that cannot exist", env("EGRESS_ISTIO_VERSION", "1.31.999"), nil, []string{"EGRESS_ISTIO_VERSION", "1.31.999", "newest known 1.31.4", "EGRESS_ISTIOCTL"}, nil},
		{"version with v", env("EGRESS_ISTIO_VERSION", "v1.31.1"), nil, []string{"EGRESS_ISTIO_VERSION", `"v1.31.1"`, "without the v", "1.31.1"}, nil},
		{"bare minor", env("EGRESS_ISTIO_VERSION", "1.31"), nil, []string{"EGRESS_ISTIO_VERSION", `"1.31" is a minor`, "such as 1.31.4"}, nil},
		{"upgrade target with v", env("EGRESS_ISTIO_VERSION", "1.31.1", "EGRESS_ISTIO_UPGRADE_TO", "v1.31.2"), nil, []string{"EGRESS_ISTIO_UPGRADE_TO", "without the v"}, nil},
		{"hub with a scheme", env("EGRESS_ISTIO_HUB", "https://docker.io/istio"), nil, []string{"EGRESS_ISTIO_HUB", "https://docker.io/istio", "such as docker.io/istio"}, nil},
		{"tag that cannot exist", env("EGRESS_ISTIO_TAG", "1.31.1:distroless"), nil, []string{"EGRESS_ISTIO_TAG", "1.31.1:distroless", "not an image tag"}, nil},
		{"artifacts under a file", env("EGRESS_ARTIFACTS", filepath.Join(aFile, "out")), nil, []string{"EGRESS_ARTIFACTS", "is a file", "give a directory"}, nil},
		{"setup of a nanosecond", env("EGRESS_INTERVAL_SETUP", "1ns"), nil, []string{"EGRESS_INTERVAL_SETUP", "1ns is out of range", "30s to 2h"}, nil},
		{"negative window of a year", env("EGRESS_INTERVAL_NEGATIVE_WINDOW", "9999h"), nil, []string{"EGRESS_INTERVAL_NEGATIVE_WINDOW", "9999h0m0s is out of range", "1s to 5m"}, nil},
		{"negative bundle count", env("EGRESS_BUNDLE_MAX_COUNT", "-1"), nil, []string{"EGRESS_BUNDLE_MAX_COUNT (bundleMaxCount)", "-1 failure bundles is out of range", "0 (none) to 1000"}, []string{"EGRESS_BUNDLE_MAX_BYTES", "EGRESS_EVIDENCE"}},
		{"negative bundle count, former name", env("EGRESS_EVIDENCE_MAX_DUMPS", "-1"), nil, []string{"EGRESS_BUNDLE_MAX_COUNT (bundleMaxCount, given as its former name EGRESS_EVIDENCE_MAX_DUMPS)", "-1 failure bundles is out of range"}, nil},
		{"bundle count under two names", env("EGRESS_EVIDENCE_MAX_DUMPS", "3", "EGRESS_BUNDLE_MAX_COUNT", "4"), nil, []string{"EGRESS_BUNDLE_MAX_COUNT=4 and EGRESS_EVIDENCE_MAX_DUMPS=3 disagree", "unset EGRESS_EVIDENCE_MAX_DUMPS"}, nil},
		{"tiny evidence cap", env("EGRESS_EVIDENCE_MAX_BYTES", "10"), nil, []string{"EGRESS_EVIDENCE_MAX_BYTES (evidenceMaxBytes)", "10 bytes is out of range"}, []string{"EGRESS_BUNDLE"}},
		{"tiny bundle cap", env("EGRESS_BUNDLE_MAX_BYTES", "10"), nil, []string{"EGRESS_BUNDLE_MAX_BYTES (bundleMaxBytes)", "10 bytes is out of range"}, []string{"EGRESS_EVIDENCE"}},
		{"negative propagation", env("EGRESS_INTERVAL_PROPAGATION", "-1s"), nil, []string{"EGRESS_INTERVAL_PROPAGATION", "-1s is out of range", "5s to 30m"}, []string{"EGRESS_INTERVAL_POLL"}},
		{"poll longer than the wait", env("EGRESS_INTERVAL_POLL", "50s", "EGRESS_INTERVAL_PROPAGATION", "30s"), nil, []string{"EGRESS_INTERVAL_POLL", "not shorter than intervals.propagation 30s"}, nil},
		{"tiny probe timeout", env("EGRESS_INTERVAL_PROBE", "1s"), nil, []string{"EGRESS_INTERVAL_PROBE", "1s is out of range", "/delay/5"}, nil},
		{"YAML float version", env("EGRESS_CONFIG", floatVersion), nil, []string{"EGRESS_ISTIO_VERSION", `"1.30" is a minor`, "1.30.8"}, []string{"1.300000"}},
		{"YAML duplicate key", env("EGRESS_CONFIG", dupKeys), nil, []string{"dup.yaml:4", `"istio.version" is given twice (first at line 3)`, "keep one"}, nil},
		{"YAML misspelt key", env("EGRESS_CONFIG", typo), nil, []string{"typo.yaml:2", `unknown setting "istio.versoin"`, "did you mean istio.version?"}, nil},
		{"YAML list value", env("EGRESS_CONFIG", list), nil, []string{"list.yaml:2", "istio.hub", "a list is not a value"}, nil},
		{"YAML not YAML", env("EGRESS_CONFIG", notYAML), nil, []string{"bad.yaml", "not valid YAML"}, nil},
		{"config file missing", env("EGRESS_CONFIG", filepath.Join(dir, "missing.yaml")), nil, []string{"missing.yaml", "cannot be read", "EGRESS_CONFIG"}, nil},
		{"upgrade across a major", env("EGRESS_ISTIO_UPGRADE_TO", "2.0.0", "EGRESS_ISTIO_UPGRADE_ISTIOCTL", istioctl), nil, []string{"EGRESS_ISTIO_UPGRADE_TO", def + " to 2.0.0", "does not gate upgrades from " + defMinor + " yet"}, []string{"gate a release of"}},
		{"upgrade to itself", env("EGRESS_ISTIO_UPGRADE_TO", def), nil, []string{"EGRESS_ISTIO_UPGRADE_TO", def + " is not later than istio.version " + def, "give a later release"}, nil},
		{"upgrade istioctl without upgrade", env("EGRESS_ISTIO_UPGRADE_ISTIOCTL", istioctl), nil, []string{"EGRESS_ISTIO_UPGRADE_ISTIOCTL", "only used by an upgrade"}, nil},
		{"unknown mode", env("EGRESS_MODE", "offline"), nil, []string{"EGRESS_MODE", `"offline"`, "hermetic"}, nil},
		{"bad cluster name", env("EGRESS_CLUSTER_NAME", "My_Cluster"), nil, []string{"EGRESS_CLUSTER_NAME", "My_Cluster", "lowercase letters"}, nil},
		{"bad run id", env("EGRESS_RUN_ID", "Run 1"), nil, []string{"EGRESS_RUN_ID", `"Run 1"`, "up to 20 lowercase"}, nil},
		{"no passes", env("EGRESS_CONVERGE", "0"), nil, []string{"EGRESS_CONVERGE", "0 consecutive passes", "1 to 20"}, nil},
		{"words for a number", env("EGRESS_CONVERGE", "three"), nil, []string{"EGRESS_CONVERGE", `"three" is not a whole number`}, nil},
		{"words for a boolean", env("EGRESS_CLUSTER_REUSE", "maybe"), nil, []string{"EGRESS_CLUSTER_REUSE", `"maybe" is not a boolean`, "true or false"}, nil},
		{"malformed image", env("EGRESS_IMAGE_SQUID", "Squid:Latest:Now"), nil, []string{"EGRESS_IMAGE_SQUID", "Squid:Latest:Now", "[registry/]repository"}, nil},
		{"registry with a digest", env("EGRESS_IMAGE_REGISTRY", "mirror@sha256"), nil, []string{"EGRESS_IMAGE_REGISTRY", "mirror@sha256", "host[:port]"}, nil},
		{"kind config missing", env("EGRESS_KIND_CONFIG", filepath.Join(dir, "kind.yaml")), nil, []string{"EGRESS_KIND_CONFIG", "kind.yaml", "cannot be read"}, nil},
		{"kind config a directory", env("EGRESS_KIND_CONFIG", dir), nil, []string{"EGRESS_KIND_CONFIG", "is a directory"}, nil},
		{"upstream Envoy without a proxy", env("EGRESS_ISTIO_UPSTREAM_ENVOY", "true", "EGRESS_ISTIO_CONTROL_PLANE_ONLY", "true"), nil, []string{"EGRESS_ISTIO_UPSTREAM_ENVOY", "drop one of them"}, nil},
		{"unknown flag", nil, []string{"-config-onyl"}, []string{"flag provided but not defined: -config-onyl", "usage: egress preflight"}, nil},
		{"stray argument", nil, []string{"-config-only", "now"}, []string{`unexpected arguments ["now"]`}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clearEgressEnv(t)
			work := t.TempDir()
			t.Chdir(work)
			artifacts := filepath.Join(work, "artifacts")
			t.Setenv("EGRESS_ARTIFACTS", artifacts)
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := tc.args
			if args == nil {
				args = []string{"-config-only"}
			}
			var out, errw bytes.Buffer
			code := run(context.Background(), append([]string{"preflight"}, args...), &out, &errw)
			msg := errw.String()
			if code != ExitUsage {
				t.Fatalf("exit %d, want %d (bad usage or configuration); stdout %q stderr:\n%s", code, ExitUsage, out.String(), msg)
			}
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message lacks %q:\n%s", w, msg)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(msg, n) {
					t.Errorf("message wrongly names %q:\n%s", n, msg)
				}
			}
			if left, _ := os.ReadDir(work); len(left) > 0 {
				t.Errorf("the refused run left %v in its working directory", left)
			}
		})
	}
}

// A former setting name still works, and preflight, which make e2e runs first, says which
// name replaces it.
func TestPreflightWarnsOfAFormerName(t *testing.T) {
	clearEgressEnv(t)
	t.Setenv("EGRESS_ARTIFACTS", filepath.Join(t.TempDir(), "artifacts"))
	t.Setenv("EGRESS_EVIDENCE_MAX_DUMPS", "2")
	var out, errw bytes.Buffer
	if code := run(context.Background(), []string{"preflight", "-config-only"}, &out, &errw); code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, errw.String())
	}
	want := "preflight: warning: EGRESS_EVIDENCE_MAX_DUMPS is deprecated: it is the former name of bundleMaxCount (EGRESS_BUNDLE_MAX_COUNT) and still sets it for now: rename it to EGRESS_BUNDLE_MAX_COUNT\n"
	if !strings.Contains(out.String(), want) || !strings.Contains(out.String(), "configuration ok") {
		t.Errorf("output lacks %q and the verdict:\n%s", want, out.String())
	}
}

func env(kv ...string) map[string]string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

// clearEgressEnv unsets every EGRESS_* variable for the test (restored after it).
func clearEgressEnv(t *testing.T) {
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "EGRESS_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

// make e2e checks the settings before it builds the echo image or links the suite: a typo
// costs seconds, and nothing is built.
func TestMakeE2ERefusesBadInputBeforeBuilding(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed (scripts/ensure-deps.sh installs it): cannot run make e2e")
	}
	clearEgressEnv(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name      string
		env, args []string
		want      []string
	}{
		{"a setting", []string{"EGRESS_ISTIO_VERSION=v1.31.1"}, nil, []string{"EGRESS_ISTIO_VERSION", "without the v"}},
		{"the Makefile's processes", nil, []string{"PROCS=two"}, []string{"PROCS=two", "whole number"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			bin := filepath.Join(t.TempDir(), "egress.test")
			args := append([]string{"--no-print-directory", "e2e", "SUITE_BIN=" + bin, "EGRESS_ARTIFACTS=" + filepath.Join(t.TempDir(), "a")}, c.args...)
			cmd := exec.Command("make", args...)
			cmd.Dir = root
			// Not the enclosing make's flags (make test runs this): a user's make e2e from a shell.
			for _, kv := range os.Environ() {
				if k, _, _ := strings.Cut(kv, "="); k != "MAKEFLAGS" && k != "MFLAGS" && k != "MAKELEVEL" {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			cmd.Env = append(cmd.Env, c.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("make e2e accepted %v %v:\n%s", c.env, c.args, out)
			}
			for _, w := range c.want {
				if !bytes.Contains(out, []byte(w)) {
					t.Errorf("make e2e's output lacks %q:\n%s", w, out)
				}
			}
			for _, built := range []string{"build-echo-image", "go test -c", "ginkgo"} {
				if bytes.Contains(out, []byte(built)) {
					t.Errorf("make e2e ran %q before refusing the input:\n%s", built, out)
				}
			}
			if _, err := os.Stat(bin); err == nil {
				t.Errorf("make e2e linked the suite (%s) before refusing the input", bin)
			}
		})
	}
}
