// Package expect holds composable outcome checks over a probe's Observation. Each check is a
// named value that says what it expects; failures say what was seen instead. Outcomes are
// told apart (HTTP status vs curl exit vs timeout vs TLS failure), never collapsed to "not 200".
package expect

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/egressconformance/iec/fixtures"
)

// Expectation checks one aspect of an Observation.
type Expectation interface {
	Check(o *fixtures.Observation) error
	Needs() fixtures.Needs
	String() string
}

// ErrNotApplicable marks a check that cannot be judged in this run (e.g. the destination
// is a public host in internet mode). The runner records it; it never counts as a pass.
var ErrNotApplicable = errors.New("not applicable")

// Outcome is the top of a probe's expectation, and says how it is judged: a positive outcome
// converges (every check passes on N consecutive attempts within the propagation bound); a
// negative one holds (every check passes from the first attempt through the whole negative
// window, and is never retried into a pass).
type Outcome struct {
	// Negative is true for an outcome that must hold (Holds), false for one that converges.
	Negative bool
	Checks   []Expectation
}

// Converges: the config takes effect and then every check passes, as the traffic gets through.
func Converges(checks ...Expectation) Outcome { return Outcome{Checks: checks} }

// Holds: every check passes from the very first attempt and keeps passing — traffic refused
// in the way the checks describe, or cut short (a 504 that did reach the destination).
func Holds(checks ...Expectation) Outcome { return Outcome{Negative: true, Checks: checks} }

// Check runs every check and joins the failures. Not-applicable checks are returned
// separately so they can be reported.
func (oc Outcome) Check(o *fixtures.Observation) (notApplicable []string, err error) {
	var errs []error
	for _, c := range oc.Checks {
		if e := c.Check(o); e != nil {
			if errors.Is(e, ErrNotApplicable) {
				notApplicable = append(notApplicable, fmt.Sprintf("%s: %v", c, e))
				continue
			}
			errs = append(errs, fmt.Errorf("%s: %w", c, e))
		}
	}
	return notApplicable, errors.Join(errs...)
}

// Needs unions the evidence the checks read.
func (oc Outcome) Needs() fixtures.Needs {
	var n fixtures.Needs
	for _, c := range oc.Checks {
		n = n.Merge(c.Needs())
	}
	return n
}

func (oc Outcome) String() string {
	parts := make([]string, len(oc.Checks))
	for i, c := range oc.Checks {
		parts[i] = c.String()
	}
	kind := "converges"
	if oc.Negative {
		kind = "holds"
	}
	return kind + ": " + strings.Join(parts, "; ")
}

// check is the one implementation of Expectation: a name, the evidence it needs and a func.
type check struct {
	name  string
	needs fixtures.Needs
	fn    func(o *fixtures.Observation) error
}

func (c check) Check(o *fixtures.Observation) error { return c.fn(o) }
func (c check) Needs() fixtures.Needs               { return c.needs }
func (c check) String() string                      { return c.name }

// render expands a template over the observation's Vars ("{{.HTTPHost}}").
func render(s string, o *fixtures.Observation) (string, error) {
	if !strings.Contains(s, "{{") {
		return s, nil
	}
	t, err := template.New("x").Option("missingkey=error").Parse(s)
	if err != nil {
		return "", fmt.Errorf("bad template %q: %w", s, err)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, o.Vars); err != nil {
		return "", fmt.Errorf("rendering %q: %w", s, err)
	}
	return b.String(), nil
}

func curlSeen(o *fixtures.Observation) string {
	if o.CurlErr != "" {
		return fmt.Sprintf("no curl result (%s); exit %d, stderr %q", o.CurlErr, o.ExitCode, clip(o.Stderr))
	}
	return fmt.Sprintf("HTTP %03d, curl exit %d (%s), %.2fs", o.Curl.HTTPCode, o.Curl.ExitCode, o.Curl.ErrorMsg, o.Elapsed().Seconds())
}

func clip(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}

// HTTPStatus: the client received this HTTP status (and curl itself succeeded).
func HTTPStatus(code int) Expectation {
	return check{name: fmt.Sprintf("HTTP %d", code), fn: func(o *fixtures.Observation) error {
		if o.CurlErr != "" || o.Curl.HTTPCode != code || o.Curl.ExitCode != 0 {
			return fmt.Errorf("saw %s", curlSeen(o))
		}
		return nil
	}}
}

// CurlExit: curl failed with this exit code (e.g. 35 TLS reset, 28 timeout, 7 refused,
// 56 reset while receiving, 60 untrusted certificate) and received no HTTP response.
func CurlExit(code int) Expectation {
	return check{name: fmt.Sprintf("curl exit %d (%s)", code, curlExitMeaning[code]), fn: func(o *fixtures.Observation) error {
		got := o.Curl.ExitCode
		if o.CurlErr != "" {
			got = o.ExitCode
		}
		if got != code || o.Curl.HTTPCode != 0 {
			return fmt.Errorf("saw %s", curlSeen(o))
		}
		return nil
	}}
}

var curlExitMeaning = map[int]string{
	6: "could not resolve host", 7: "connection refused", 28: "timeout", 35: "TLS handshake failed/reset",
	52: "empty reply", 56: "connection reset while receiving", 60: "untrusted server certificate",
}

// ElapsedWithin: the request took between min and max (curl's time_total).
func ElapsedWithin(min, max time.Duration) Expectation {
	return check{name: fmt.Sprintf("elapsed in [%s, %s]", min, max), fn: func(o *fixtures.Observation) error {
		if e := o.Elapsed(); e < min || e > max {
			return fmt.Errorf("took %s", e.Round(time.Millisecond))
		}
		return nil
	}}
}

// ElapsedAtLeast: the request took at least min (e.g. /delay/5 really waited).
func ElapsedAtLeast(min time.Duration) Expectation {
	return check{name: fmt.Sprintf("elapsed ≥ %s", min), fn: func(o *fixtures.Observation) error {
		if e := o.Elapsed(); e < min {
			return fmt.Errorf("took only %s", e.Round(time.Millisecond))
		}
		return nil
	}}
}

// CurlFailed: the request failed on the way, with no HTTP response: any non-zero curl exit
// but 6. Use it where the exact code legitimately varies (a CNI drops or rejects); the
// observed code is kept in the evidence. Exit 6 (the name did not resolve) never counts: the
// request never left the pod, so a broken DNS entry or fixture would pass for the policy.
func CurlFailed() Expectation {
	return check{name: "curl failed with no HTTP response (not a DNS failure)", fn: func(o *fixtures.Observation) error {
		code := o.Curl.ExitCode
		if o.CurlErr != "" {
			code = o.ExitCode
		}
		if code == 0 || code == curlCouldNotResolve || o.Curl.HTTPCode != 0 {
			return fmt.Errorf("saw %s", curlSeen(o))
		}
		return nil
	}}
}

// curlCouldNotResolve is curl's exit code for a name that did not resolve.
const curlCouldNotResolve = 6
