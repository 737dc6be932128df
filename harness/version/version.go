// Package version parses and compares Istio (and Kubernetes) release versions, so scenarios
// can say "needs Istio ≥ 1.22" and skip with that reason on older releases.
package version

import (
	"fmt"
	"regexp"
	"strconv"
)

// Version is a release version such as 1.31.1 or 1.32.0-beta.0.
type Version struct {
	Major, Minor, Patch int
	Pre                 string
}

var re = regexp.MustCompile(`^v?(\d+)\.(\d+)(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?$`)

// Parse accepts "1.31.1", "v1.31.1", "1.31" (patch 0) and pre-releases "1.32.0-beta.0".
func Parse(s string) (Version, error) {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return Version{}, fmt.Errorf("%q is not a release version: expected MAJOR.MINOR.PATCH such as 1.31.1", s)
	}
	var v Version
	v.Major, _ = strconv.Atoi(m[1])
	v.Minor, _ = strconv.Atoi(m[2])
	if m[3] != "" {
		v.Patch, _ = strconv.Atoi(m[3])
	}
	v.Pre = m[4]
	return v, nil
}

// MustParse is Parse for constants in code; it panics on a malformed literal.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// MinorString is "1.31".
func (v Version) MinorString() string { return fmt.Sprintf("%d.%d", v.Major, v.Minor) }

func (v Version) String() string {
	s := fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	if v.Pre != "" {
		s += "-" + v.Pre
	}
	return s
}

// Compare returns -1, 0 or 1. A pre-release sorts before its release.
func (v Version) Compare(o Version) int {
	for _, d := range [][2]int{{v.Major, o.Major}, {v.Minor, o.Minor}, {v.Patch, o.Patch}} {
		if d[0] != d[1] {
			if d[0] < d[1] {
				return -1
			}
			return 1
		}
	}
	switch {
	case v.Pre == o.Pre:
		return 0
	case v.Pre == "":
		return 1
	case o.Pre == "":
		return -1
	case v.Pre < o.Pre:
		return -1
	default:
		return 1
	}
}

// AtLeast reports v >= min, where min is a version literal such as "1.22".
// Pre-releases of min's release count as that release (1.22.0-beta.1 is at least 1.22).
func (v Version) AtLeast(min string) bool {
	m := MustParse(min)
	w := v
	w.Pre = ""
	return w.Compare(m) >= 0
}
