// Package testkit holds the small test helpers that the tests of several packages share. It
// imports no package of the module, so that any of them can use it in its own tests.
package testkit

import (
	"crypto/rand"
	"encoding/hex"
	"strings"
	"testing"
)

// Suffix returns 8 random hex digits, for names of Docker objects and clusters that must not
// collide with those of another test run on the same engine.
func Suffix(t testing.TB) string {
	t.Helper()
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

// ErrorMentions fails the test unless err is an error whose message contains every one of
// want; name, the case under test, begins each complaint.
func ErrorMentions(t testing.TB, name string, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", name)
		return
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q lacks %q", name, err, w)
		}
	}
}
