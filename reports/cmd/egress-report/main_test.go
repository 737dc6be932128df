package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRendersTheThreeFiles(t *testing.T) {
	out := filepath.Join(t.TempDir(), "artifacts")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"-in", "../../testdata/setup-fail.json", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	for _, f := range []string{"junit.xml", "report.md", "report.html"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil || len(b) == 0 {
			t.Errorf("%s: %v", f, err)
		}
		if !strings.Contains(stdout.String(), filepath.Join(out, f)) {
			t.Errorf("%s not listed on stdout: %q", f, stdout.String())
		}
	}
}

func TestErrorsSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("<html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-out", dir}, "need -in FILE and -out DIR"},
		{[]string{"-in", filepath.Join(dir, "missing.json"), "-out", dir}, "reading the Ginkgo report"},
		{[]string{"-in", bad, "-out", dir}, "expected a JSON array of suite reports"},
	} {
		err := run(c.args, &bytes.Buffer{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: err = %v, want %q", c.args, err, c.want)
		}
	}
}

// diff's exit code is what CI gates on: 1 when the new run regressed, 0 when not, 2 on bad use.
func TestDiffExitCodes(t *testing.T) {
	lab, mixed := "../../../cmd/egress/testdata/lab-ginkgo-report.json", "../../testdata/mixed.json"
	out := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		says string
	}{
		{[]string{"-out", out, lab, mixed}, 1, "## Newly failing (3)"},
		{[]string{lab, lab}, 0, "no regression"},
		{[]string{lab}, 2, "usage: egress-report diff"},
		{[]string{lab, filepath.Join(out, "none.json")}, 2, "reading"},
	} {
		var stdout, stderr bytes.Buffer
		if code := diff(c.args, &stdout, &stderr); code != c.code || !strings.Contains(stdout.String()+stderr.String(), c.says) {
			t.Errorf("diff %v: exit %d (want %d), output lacks %q:\n%s%s", c.args, code, c.code, c.says, stdout.String(), stderr.String())
		}
	}
	for _, f := range []string{"diff.md", "diff.html"} {
		if b, err := os.ReadFile(filepath.Join(out, f)); err != nil || !bytes.Contains(b, []byte("REGRESSED")) {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestMergePrintsTheMatrix(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := merge([]string{"../../../cmd/egress/testdata/lab-ginkgo-report.json", "../../testdata/mixed.json"}, &stdout, &stderr); code != 0 ||
		!strings.Contains(stdout.String(), "| 69b112ed · Istio 1.31.0-dev | mixed-fixture · Istio 1.31.1 |") {
		t.Errorf("merge: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	if code := merge(nil, &stdout, &stderr); code != 2 {
		t.Errorf("merge without runs: exit %d, want 2", code)
	}
}
