// Package parse turns the raw text the suite collects into typed values:
// curl's --write-out '%{json}' object, Envoy's admin /stats and /clusters text,
// Istio's default Envoy access log (TEXT encoding) and Squid's native access.log.
//
// Every parser returns an error instead of panicking, whatever the input. Errors
// name what failed and quote the offending input (line number and the line,
// truncated to maxQuote bytes). One format per file: curl.go, stats.go,
// clusters.go, accesslog.go, squid.go.
package parse

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// maxQuote bounds how much of an offending line an error message repeats.
const maxQuote = 200

// LineError reports a line that could not be parsed.
type LineError struct {
	Format string // "envoy stats", "envoy clusters", "access log", "squid log"
	Line   int    // 1-based
	Text   string // the line, truncated to maxQuote bytes
	Err    error  // what was wrong with it
}

func (e *LineError) Error() string {
	return fmt.Sprintf("parse %s: line %d: %v: %s", e.Format, e.Line, e.Err, quoteLine(e.Text))
}

// quoteLine quotes s for an error message: in backquotes when that is unambiguous
// (access log lines are full of double quotes), else as a Go string literal.
func quoteLine(s string) string {
	if strconv.CanBackquote(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

func (e *LineError) Unwrap() error { return e.Err }

func lineErr(format string, n int, line string, err error) error {
	return &LineError{Format: format, Line: n, Text: truncate(line), Err: err}
}

// truncate shortens s to at most maxQuote bytes (cut on a UTF-8 boundary when possible).
func truncate(s string) string {
	if len(s) <= maxQuote {
		return s
	}
	cut := maxQuote
	for cut > maxQuote-4 && cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// eachLine calls fn for every line of r. The line ending ("\n" plus any "\r" before it) is
// removed; a final line without a newline is still passed. Lines may be arbitrarily long.
// fn's error stops the walk and is returned as the *LineError of that line (its 1-based
// number and text), so fn says only what is wrong with the line.
func eachLine(format string, r io.Reader, fn func(line string) error) error {
	if r == nil {
		return fmt.Errorf("parse %s: nil reader", format)
	}
	br := bufio.NewReader(r)
	for n := 1; ; n++ {
		line, err := br.ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("parse %s: reading line %d: %w", format, n, err)
		}
		if len(line) == 0 && err != nil { // EOF with nothing pending
			return nil
		}
		line = strings.TrimSuffix(line, "\n")
		line = strings.TrimRight(line, "\r") // CRLF, or CRs doubled by a tty (kubectl exec -t)
		if ferr := fn(line); ferr != nil {
			return lineErr(format, n, line, ferr)
		}
		if err != nil {
			return nil
		}
	}
}

// eachNonBlankLine is eachLine for the formats in which a blank line (white space only) may
// stand anywhere and means nothing.
func eachNonBlankLine(format string, r io.Reader, fn func(line string) error) error {
	return eachLine(format, r, func(line string) error {
		if strings.TrimSpace(line) == "" {
			return nil
		}
		return fn(line)
	})
}
