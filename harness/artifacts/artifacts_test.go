package artifacts

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestPrepareClearsAnEarlierRunAndRefusesForeignFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a")
	if removed, err := Prepare(dir); err != nil || len(removed) != 0 {
		t.Fatalf("a new folder: removed %v, %v", removed, err)
	}
	for _, n := range []string{"report.md", "ginkgo-report.json", "scenarios/x/y.json"} {
		p := filepath.Join(dir, n)
		os.MkdirAll(filepath.Dir(p), 0o755)
		os.WriteFile(p, []byte("earlier run"), 0o644)
	}
	removed, err := Prepare(dir)
	if err != nil || !reflect.DeepEqual(removed, []string{"ginkgo-report.json", "report.md", "scenarios"}) {
		t.Fatalf("removed %v, %v", removed, err)
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("left %v", left)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, "junit.xml"), []byte("earlier run"), 0o644)
	if _, err := Prepare(dir); err == nil || !strings.Contains(err.Error(), `"notes.txt"`) || !strings.Contains(err.Error(), "EGRESS_ARTIFACTS") {
		t.Fatalf("a folder with someone's file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "junit.xml")); err != nil {
		t.Errorf("a refused folder was changed: %v", err)
	}
}
