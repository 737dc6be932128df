package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/harness/version"
)

const releasesHelp = `Without flags: the Istio releases the suite supports (the newest known patch of each
minor, harness/config/pins.go), the default, and the upgrade CI gates.
-newer FILE (- for stdin): FILE lists released Istio tags, one per line (such as
` + "`gh release list -R istio/istio --limit 100 --json tagName --jq '.[].tagName'`" + `);
prints each release newer than the pins (a later patch of a supported minor, or a later
minor) and exits 1 when there is one: the scheduled CI job's reminder to update pins.go.`

// releasesCmd prints the pinned Istio releases, or compares them with a list of released tags.
func releasesCmd(_ context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("releases", flag.ContinueOnError)
	newer := fs.String("newer", "", "a file of released Istio tags, one per line (- for stdin)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *newer == "" {
		for _, r := range config.IstioReleases {
			mark := ""
			if r == config.DefaultIstioVersion {
				mark = " (default)"
			}
			fmt.Fprintf(w, "%s%s\n", r, mark)
		}
		from, to := config.UpgradePair()
		fmt.Fprintf(w, "upgrade gated by CI: %s → %s\n", from, to)
		return nil
	}
	in := io.Reader(os.Stdin)
	if *newer != "-" {
		f, err := os.Open(*newer)
		if err != nil {
			return fmt.Errorf("reading the released tags: %w", err)
		}
		defer f.Close()
		in = f
	}
	ahead, err := newerReleases(in)
	if err != nil {
		return err
	}
	if len(ahead) == 0 {
		fmt.Fprintf(w, "the pins are current: no release newer than %s\n", strings.Join(config.IstioReleases, ", "))
		return nil
	}
	for _, r := range ahead {
		fmt.Fprintf(w, "newer than the pins: %s\n", r)
	}
	return releasesBehind{fmt.Sprintf("%d Istio release(s) newer than the pins (%s): add them to IstioReleases in harness/config/pins.go, with istio.io/api and istio.io/client-go in go.mod",
		len(ahead), strings.Join(ahead, ", "))}
}

// newerReleases returns the release tags (oldest first) later than the newest pinned patch of
// their minor, or of a minor later than every pinned one. Pre-releases, older minors and
// lines that are not a release (a "latest" tag, an empty line) are not newer.
func newerReleases(r io.Reader) ([]string, error) {
	newest := version.MustParse(config.DefaultIstioVersion)
	var out []version.Version
	sc := bufio.NewScanner(r)
	tags := 0
	for sc.Scan() {
		v, err := version.Parse(strings.TrimSpace(sc.Text()))
		if err != nil || v.Pre != "" {
			continue
		}
		tags++
		patch, pinned := config.NewestKnownIstioPatch[v.MinorString()]
		later := pinned && v.Patch > patch ||
			!pinned && (v.Major > newest.Major || v.Major == newest.Major && v.Minor > newest.Minor)
		if later && !slices.ContainsFunc(out, func(o version.Version) bool { return o.String() == v.String() }) {
			out = append(out, v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading the released tags: %w", err)
	}
	if tags == 0 {
		return nil, fmt.Errorf("the list of released tags holds no release (such as 1.32.0): check the command that wrote it")
	}
	slices.SortFunc(out, func(a, b version.Version) int { return a.Compare(b) })
	strs := make([]string, len(out))
	for i, v := range out {
		strs[i] = v.String()
	}
	return strs, nil
}

// releasesBehind is exit 1: the pins are behind Istio's releases.
type releasesBehind struct{ msg string }

func (e releasesBehind) Error() string { return e.msg }
