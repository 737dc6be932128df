package config

import (
	"fmt"
	"sort"
	"strings"
)

// OtherEnv are the EGRESS_* variables that are not settings of a run: the config file and
// the lab's and CI's scripts' own (they read them; the suite ignores them).
var OtherEnv = []string{
	FileEnv,
	"EGRESS_LAB_CACHE", "EGRESS_LAB_MIRROR", "EGRESS_LAB_NICE",
	"EGRESS_CI_SKIP_IMAGES", "EGRESS_CI_STATE_DIR",
	"EGRESS_DOCKERD_ARGS", "EGRESS_DOCKERD_RESTART", "EGRESS_DOCKERD_WAIT", "EGRESS_PROBE_IMAGE",
}

// UnknownEnv returns one error per EGRESS_* variable of environ (KEY=VALUE entries) that
// neither a setting nor OtherEnv names, with the closest known name: a misspelt variable is
// refused rather than silently ignored (the run would test the default instead).
func UnknownEnv(environ []string) []error {
	known, names, renamed := nameIndex(func(n Names) string { return n.Env })
	for _, n := range OtherEnv {
		known[n] = true
		names = append(names, n)
	}
	var unknown []string
	for _, kv := range environ {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "EGRESS_") && !known[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	var errs []error
	for _, k := range unknown {
		errs = append(errs, fmt.Errorf("%s: unknown variable%s: unset it (docs/configuration.md lists every EGRESS_* setting)", k, didYouMean(k, names, renamed)))
	}
	return errs
}

// didYouMean is `, did you mean X?` for the known name closest to name, when one is close;
// a misspelt former name (a key of renamed) gets its current name, the one to move to.
func didYouMean(name string, known []string, renamed map[string]string) string {
	best, bestD := "", len(name)/3+2
	for _, k := range known {
		if d := editDistance(strings.ToLower(name), strings.ToLower(k)); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	if cur, ok := renamed[best]; ok {
		best = cur
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

// editDistance is the Levenshtein distance, with a transposition costing 1 (VERISON).
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev2 := make([]int, len(rb)+1)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(rb)]
}
