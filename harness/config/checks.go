package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/egressconformance/iec/harness/version"
)

// checkRelease checks that s is one Istio release written as the release archives name it
// (1.31.1, or a pre-release such as 1.32.0-beta.0): no "v", no bare minor, no patch that
// cannot have been released yet unless an istioctl is given for it. ok is false when s was
// refused (then nothing else about it is checked).
func (c Config) checkRelease(bad func(key, format string, a ...any), key, s string, istioctlGiven bool) (version.Version, bool) {
	v, err := version.Parse(s)
	switch {
	case err != nil:
		bad(key, "%v", err)
	case strings.HasPrefix(s, "v"):
		bad(key, "%q: write the release without the v, as its archive is named: %s", s, strings.TrimPrefix(s, "v"))
	case strings.Count(strings.SplitN(s, "-", 2)[0], ".") != 2:
		bad(key, "%q is a minor, not a release: give a patch release such as %s.%d", s, v.MinorString(), max(NewestKnownIstioPatch[v.MinorString()], 0))
	default:
		newest, known := NewestKnownIstioPatch[v.MinorString()]
		if known && !istioctlGiven && v.Pre == "" && v.Patch > newest {
			bad(key, "Istio %s is not a release the suite knows (newest known %s.%d, harness/config/pins.go): give a released patch, or the istioctl of a newer one with %s",
				s, v.MinorString(), newest, istioctlSetting(key))
		} else {
			return v, true
		}
	}
	return v, false
}

func istioctlSetting(versionKey string) string {
	if versionKey == "istio.upgradeTo" {
		return "EGRESS_ISTIO_UPGRADE_ISTIOCTL"
	}
	return "EGRESS_ISTIOCTL"
}

// intervalBounds are the ranges an interval may take: below, a step cannot complete (a
// nanosecond setup); above, a wrong unit slips through (9999h holds a negative for a year).
// A probe spec has 10 minutes in all, which bounds the negative window and the request.
var intervalBounds = []struct {
	key      string
	get      func(Intervals) time.Duration
	min, max time.Duration
	what     string
}{
	{"intervals.setup", func(i Intervals) time.Duration { return i.Setup }, 30 * time.Second, 2 * time.Hour, "each setup step (cluster, Istio, fixtures)"},
	{"intervals.propagation", func(i Intervals) time.Duration { return i.Propagation }, 5 * time.Second, 30 * time.Minute, "config reaching the proxies"},
	{"intervals.poll", func(i Intervals) time.Duration { return i.Poll }, 100 * time.Millisecond, time.Minute, "the pause between attempts"},
	{"intervals.negativeWindow", func(i Intervals) time.Duration { return i.NegativeWindow }, time.Second, 5 * time.Minute, "how long a negative outcome must keep holding"},
	{"intervals.networkPolicy", func(i Intervals) time.Duration { return i.NetworkPolicy }, 5 * time.Second, 30 * time.Minute, "the CNI enforcing a NetworkPolicy"},
	{"intervals.probe", func(i Intervals) time.Duration { return i.Probe }, 6 * time.Second, 5 * time.Minute, "one client request (scenarios wait on /delay/5)"},
}

func (iv Intervals) validate(bad func(key, format string, a ...any)) {
	for _, b := range intervalBounds {
		if d := b.get(iv); d < b.min || d > b.max {
			bad(b.key, "%s is out of range for %s: use %s to %s", d, b.what, short(b.min), short(b.max))
		}
	}
	if iv.Poll >= iv.Propagation && iv.Propagation > 0 {
		bad("intervals.poll", "%s is not shorter than intervals.propagation %s: polling must fit in the wait it paces", iv.Poll, iv.Propagation)
	}
}

// short is 30s, 5m or 2h rather than Go's 5m0s.
func short(d time.Duration) string {
	s := d.String()
	for _, z := range []string{"m0s", "h0m"} {
		if strings.HasSuffix(s, z) {
			s = strings.TrimSuffix(s, z[1:])
		}
	}
	return s
}

// checkPaths checks the files and directories the settings name, before anything is built:
// an istioctl must be an executable file, a kind config a readable file, and the artifacts
// directory writable (probed with a file that is removed at once, in the directory or, when
// it does not exist yet, in its nearest existing parent; nothing is left behind).
func (c Config) checkPaths(bad func(key, format string, a ...any)) {
	for _, p := range []struct{ key, path string }{
		{"istio.istioctl", c.Istio.Istioctl},
		{"istio.upgradeIstioctl", c.Istio.UpgradeIstioctl},
	} {
		if p.path == "" {
			continue
		}
		if err := executableFile(p.path); err != nil {
			bad(p.key, "%v: give the path of an istioctl binary, or unset it to download the release", err)
		}
	}
	if c.Cluster.KindConfig != "" {
		if f, err := os.Open(c.Cluster.KindConfig); err != nil {
			bad("cluster.kindConfig", "%q cannot be read (%v): give the path of a kind v1alpha4 Cluster config, or unset it", c.Cluster.KindConfig, unwrapPath(err))
		} else {
			st, serr := f.Stat()
			f.Close()
			if serr == nil && st.IsDir() {
				bad("cluster.kindConfig", "%q is a directory: give the path of a kind v1alpha4 Cluster config file", c.Cluster.KindConfig)
			}
		}
	}
	for _, d := range []struct{ key, dir string }{{"artifactsDir", c.ArtifactsDir}, {"leaseDir", c.LeaseDir}} {
		if d.dir == "" {
			bad(d.key, "empty: give a directory")
		} else if err := writableDir(d.dir); err != nil {
			bad(d.key, "%v: give a directory this user can write to", err)
		}
	}
}

func executableFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case err != nil:
		return fmt.Errorf("%q does not exist (%v)", path, unwrapPath(err))
	case st.IsDir():
		return fmt.Errorf("%q is a directory, not a binary", path)
	case st.Mode()&0o111 == 0:
		return fmt.Errorf("%q is not executable (mode %s): chmod +x it", path, st.Mode().Perm())
	}
	return nil
}

func writableDir(dir string) error {
	probe := dir
	for {
		st, err := os.Stat(probe)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%q cannot be a directory: %s is a file", dir, probe)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%q cannot be used (%v)", dir, unwrapPath(err))
		}
		parent := filepath.Dir(probe)
		if parent == probe {
			return fmt.Errorf("%q has no existing parent directory", dir)
		}
		probe = parent
	}
	f, err := os.CreateTemp(probe, ".egress-write-check-*")
	if err != nil {
		return fmt.Errorf("%q is not writable (creating a file in %s: %v)", dir, probe, unwrapPath(err))
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// unwrapPath drops the operation and path a *PathError repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
