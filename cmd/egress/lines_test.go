//go:build l2

package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

func buildEgress(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "egress")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building the egress command: %v\n%s", err, out)
	}
	return bin
}
