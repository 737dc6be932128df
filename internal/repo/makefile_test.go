package repo

import (
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// makefile is the Makefile read as make sees its logical lines (continuations joined).
func makefile(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.ReplaceAll(string(raw), "\\\n", " "), "\n")
}

// Every target is either documented for users ("## target: summary", which `make help`
// prints) or listed as a step of others (INTERNAL_TARGETS), and make help lists each
// documented one: the help cannot go stale.
func TestEveryMakeTargetIsDocumentedOrInternal(t *testing.T) {
	lines := makefile(t)
	var phony, internal, documented []string
	rule := map[string]bool{}
	doc := regexp.MustCompile(`^## ([a-z0-9-]+): \S`)
	target := regexp.MustCompile(`^([a-z0-9-]+):([^=]|$)`)
	for _, l := range lines {
		switch {
		case strings.HasPrefix(l, ".PHONY:"):
			phony = append(phony, strings.Fields(strings.TrimPrefix(l, ".PHONY:"))...)
		case strings.HasPrefix(l, "INTERNAL_TARGETS :="):
			internal = strings.Fields(strings.TrimPrefix(l, "INTERNAL_TARGETS :="))
		}
		if m := doc.FindStringSubmatch(l); m != nil {
			documented = append(documented, m[1])
		}
		if m := target.FindStringSubmatch(l); m != nil {
			rule[m[1]] = true
		}
	}
	phony = slices.DeleteFunc(phony, func(p string) bool { return p == "$(INTERNAL_TARGETS)" })
	phony = append(phony, internal...)
	for r := range rule {
		if !slices.Contains(phony, r) {
			t.Errorf("target %s is not in .PHONY (or INTERNAL_TARGETS)", r)
		}
	}
	for _, p := range phony {
		d, i := slices.Contains(documented, p), slices.Contains(internal, p)
		switch {
		case !rule[p]:
			t.Errorf("%s is declared but has no rule", p)
		case d == i:
			t.Errorf("%s must be either documented (## %s: summary) or in INTERNAL_TARGETS, not %s", p, p, map[bool]string{true: "both", false: "neither"}[d])
		}
	}
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed (scripts/ensure-deps.sh installs it): make help not run")
	}
	out, err := exec.Command("make", "--no-print-directory", "-C", "../..", "help").CombinedOutput()
	if err != nil {
		t.Fatalf("make help: %v\n%s", err, out)
	}
	for _, d := range documented {
		if !regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(d) + ` +\S`).Match(out) {
			t.Errorf("make help does not list %s:\n%s", d, out)
		}
	}
}
