package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/version"
)

func TestReleasesListsThePins(t *testing.T) {
	var out bytes.Buffer
	if err := releasesCmd(context.Background(), nil, &out); err != nil {
		t.Fatal(err)
	}
	from, to := config.UpgradePair()
	for _, want := range append(config.IstioReleases, config.DefaultIstioVersion+" (default)", "upgrade gated by CI: "+from+" → "+to) {
		if !strings.Contains(out.String(), want) {
			t.Errorf("egress releases lacks %q:\n%s", want, out.String())
		}
	}
}

// The tag list is constructed here from the pins (not captured from GitHub): the rule is
// what is tested, relative to whatever the pins are.
func TestReleasesNewerThanThePins(t *testing.T) {
	oldest := version.MustParse(config.IstioReleases[0])
	newest := version.MustParse(config.DefaultIstioVersion)
	nextPatch := fmt.Sprintf("%s.%d", oldest.MinorString(), oldest.Patch+1)
	nextMinor := fmt.Sprintf("%d.%d.0", newest.Major, newest.Minor+1)
	tags := strings.Join(append(append([]string{}, config.IstioReleases...),
		nextMinor+"-beta.0", // a pre-release: not a release to pin
		fmt.Sprintf("%d.%d.99", oldest.Major, oldest.Minor-1), // an unsupported older minor
		"latest", "", nextMinor, nextPatch, nextPatch), "\n")
	got, err := newerReleases(strings.NewReader(tags))
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{nextPatch, nextMinor}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("newer than the pins: got %v, want %v (oldest first, once each)", got, want)
	}

	file := filepath.Join(t.TempDir(), "tags")
	os.WriteFile(file, []byte(tags), 0o600)
	var out bytes.Buffer
	err = releasesCmd(context.Background(), []string{"-newer", file}, &out)
	if code := exitCode(context.Background(), err); code != ExitNotConformant || !strings.Contains(err.Error(), "harness/config/pins.go") {
		t.Fatalf("pins behind must exit 1 naming pins.go, got %d: %v", code, err)
	}
	os.WriteFile(file, []byte(strings.Join(config.IstioReleases, "\n")), 0o600)
	if err := releasesCmd(context.Background(), []string{"-newer", file}, &out); err != nil || !strings.Contains(out.String(), "the pins are current") {
		t.Fatalf("current pins: %v\n%s", err, out.String())
	}
	// An empty or foreign list is an error, never "current": a broken gh call must not pass.
	os.WriteFile(file, []byte("not a tag\n"), 0o600)
	if err := releasesCmd(context.Background(), []string{"-newer", file}, &out); err == nil || exitCode(context.Background(), err) != ExitEnvironment {
		t.Fatalf("a list without releases must fail with exit 3, got %v", err)
	}
	if err := releasesCmd(context.Background(), []string{"extra"}, &out); !isUsage(err) {
		t.Fatalf("a stray argument is a usage error, got %v", err)
	}
}
