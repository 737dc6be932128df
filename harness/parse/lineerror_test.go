package parse

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// lineErrorCase is input that a line-by-line parser must refuse, and the 1-based line it
// must blame.
type lineErrorCase struct {
	name, in string
	line     int
}

// testLineErrors runs every case through parse, named fn in messages: its error must be the
// *LineError of the case's line and quote that line. parse returns what it parsed in a form
// worth printing, for the message when it accepts the input.
func testLineErrors(t *testing.T, fn string, parse func(io.Reader) (any, error), tests []lineErrorCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parse(strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("%s(%q) = %v, want error", fn, tt.in, got)
			}
			wantLineError(t, err, tt.line)
			if !strings.Contains(err.Error(), strings.Split(tt.in, "\n")[tt.line-1]) {
				t.Errorf("error %q does not quote the offending line", err)
			}
		})
	}
}

// wantLineError stops the test unless err is the *LineError of line (1-based).
func wantLineError(t *testing.T, err error, line int) {
	t.Helper()
	var le *LineError
	if !errors.As(err, &le) || le.Line != line {
		t.Fatalf("error %v: want a *LineError for line %d", err, line)
	}
}
