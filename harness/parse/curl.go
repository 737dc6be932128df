package parse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"
)

// Curl is what curl reports with --write-out '%{json}' (curl >= 7.70; exitcode
// and errormsg since 7.75). Keys are curl's; see the field comments.
type Curl struct {
	HTTPCode        int           // "http_code" (0 when no response, curl prints 000)
	ExitCode        int           // "exitcode" (curl >= 7.75)
	ErrorMsg        string        // "errormsg" ("" when curl prints null)
	TimeTotal       time.Duration // "time_total" seconds (float) -> Duration
	TimeConnect     time.Duration // "time_connect"
	RemoteIP        string        // "remote_ip"
	RemotePort      int           // "remote_port"
	HTTPVersion     string        // "http_version" ("0" when there was no response)
	Scheme          string        // "scheme", lower-cased ("" when curl prints null)
	URLEffective    string        // "url_effective"
	NumConnects     int           // "num_connects"
	NumRedirects    int           // "num_redirects"
	SSLVerifyResult int           // "ssl_verify_result"
}

// curlWire mirrors the JSON keys. Pointers tell "absent or null" from zero.
type curlWire struct {
	HTTPCode        *int     `json:"http_code"`
	ExitCode        *int     `json:"exitcode"`
	ErrorMsg        *string  `json:"errormsg"`
	TimeTotal       *float64 `json:"time_total"`
	TimeConnect     *float64 `json:"time_connect"`
	RemoteIP        *string  `json:"remote_ip"`
	RemotePort      *int     `json:"remote_port"`
	HTTPVersion     *string  `json:"http_version"`
	Scheme          *string  `json:"scheme"`
	URLEffective    *string  `json:"url_effective"`
	NumConnects     *int     `json:"num_connects"`
	NumRedirects    *int     `json:"num_redirects"`
	SSLVerifyResult *int     `json:"ssl_verify_result"`
}

// ParseCurlJSON parses the JSON object curl prints for -w '%{json}'. Other output may
// come before or after it (e.g. the response body when -o is not used, or a newline
// from -w '%{json}\n'): it parses the LAST top-level JSON object in the input (an
// object nested inside a later complete object does not count). Output after the
// object may hold at most a few dozen '}' characters (see maxCandidates). Unknown keys
// are ignored; a missing (or null) http_code is an error, as is a known key with the
// wrong JSON type.
func ParseCurlJSON(b []byte) (Curl, error) {
	obj, ok := lastJSONObject(b)
	if !ok {
		return Curl{}, fmt.Errorf("parse curl json: no JSON object found in %d bytes of output: %s",
			len(b), quoteLine(truncate(string(b))))
	}
	var w curlWire
	if err := json.Unmarshal(obj, &w); err != nil {
		return Curl{}, fmt.Errorf("parse curl json: %v: %s", err, quoteLine(truncate(string(obj))))
	}
	if w.HTTPCode == nil {
		return Curl{}, fmt.Errorf("parse curl json: no \"http_code\" key (not curl -w '%%{json}' output?): %s",
			quoteLine(truncate(string(obj))))
	}
	c := Curl{
		HTTPCode:        *w.HTTPCode,
		ExitCode:        deref(w.ExitCode),
		ErrorMsg:        deref(w.ErrorMsg),
		RemoteIP:        deref(w.RemoteIP),
		RemotePort:      deref(w.RemotePort),
		HTTPVersion:     deref(w.HTTPVersion),
		Scheme:          strings.ToLower(deref(w.Scheme)),
		URLEffective:    deref(w.URLEffective),
		NumConnects:     deref(w.NumConnects),
		NumRedirects:    deref(w.NumRedirects),
		SSLVerifyResult: deref(w.SSLVerifyResult),
	}
	var err error
	if c.TimeTotal, err = seconds("time_total", w.TimeTotal); err != nil {
		return Curl{}, fmt.Errorf("parse curl json: %v: %s", err, quoteLine(truncate(string(obj))))
	}
	if c.TimeConnect, err = seconds("time_connect", w.TimeConnect); err != nil {
		return Curl{}, fmt.Errorf("parse curl json: %v: %s", err, quoteLine(truncate(string(obj))))
	}
	return c, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// seconds converts curl's float seconds to a Duration, rejecting values no
// Duration can hold (negative, or beyond ~292 years).
func seconds(key string, f *float64) (time.Duration, error) {
	if f == nil {
		return 0, nil
	}
	v := *f
	if math.IsNaN(v) || v < 0 || v*float64(time.Second) >= math.MaxInt64 {
		return 0, fmt.Errorf("%q = %v is not a usable duration in seconds", key, v)
	}
	return time.Duration(math.Round(v * float64(time.Second))), nil
}

// maxCandidates bounds how many '}' lastJSONObject tries, from the end of the
// output, before giving up; it keeps the work linear in the input size.
const maxCandidates = 64

// lastJSONObject finds the last top-level JSON object in b. It takes each '}' from
// the right, walks left to the '{' that balances it (skipping JSON strings, so braces
// inside values do not count), and returns the first such span that is valid JSON.
// Any later '}' was tried first, so the span is not nested in a later valid object.
func lastJSONObject(b []byte) (json.RawMessage, bool) {
	end := len(b)
	for tries := 0; tries < maxCandidates; tries++ {
		e := bytes.LastIndexByte(b[:end], '}')
		if e < 0 {
			return nil, false
		}
		if s := matchOpenBrace(b, e); s >= 0 && json.Valid(b[s:e+1]) {
			return json.RawMessage(b[s : e+1]), true
		}
		end = e
	}
	return nil, false
}

// matchOpenBrace returns the index of the '{' balancing the '}' at e, or -1.
func matchOpenBrace(b []byte, e int) int {
	depth := 0
	for i := e; i >= 0; i-- {
		switch b[i] {
		case '}':
			depth++
		case '{':
			depth--
			if depth == 0 {
				return i
			}
		case '"':
			if escapedAt(b, i) {
				continue // not valid JSON outside a string; json.Valid will say so
			}
			j := i - 1 // walk back to the string's opening quote
			for j >= 0 && (b[j] != '"' || escapedAt(b, j)) {
				j--
			}
			if j < 0 {
				return -1
			}
			i = j
		}
	}
	return -1
}

// escapedAt reports whether b[i] is preceded by an odd number of backslashes.
func escapedAt(b []byte, i int) bool {
	n := 0
	for k := i - 1; k >= 0 && b[k] == '\\'; k-- {
		n++
	}
	return n%2 == 1
}
