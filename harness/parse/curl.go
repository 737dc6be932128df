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
// from -w '%{json}\n'): it parses the LAST top-level JSON object in the input, where
// objects are found left to right and an object nested inside an earlier complete
// object does not count. Unknown keys are ignored; a missing (or null) http_code is an
// error, as is a known key with the wrong JSON type.
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

// lastJSONObject scans b left to right for top-level JSON objects: at each '{' it
// tries to decode one object; on success it records it and continues after its end,
// on failure it continues at the next byte. It returns the last object recorded.
func lastJSONObject(b []byte) (json.RawMessage, bool) {
	var last json.RawMessage
	for i := 0; i < len(b); {
		j := bytes.IndexByte(b[i:], '{')
		if j < 0 {
			break
		}
		start := i + j
		dec := json.NewDecoder(bytes.NewReader(b[start:]))
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil || len(raw) == 0 || raw[0] != '{' {
			i = start + 1
			continue
		}
		end := start + int(dec.InputOffset())
		if end <= start { // cannot happen for a decoded object; guard the loop anyway
			i = start + 1
			continue
		}
		last = raw
		i = end
	}
	return last, last != nil
}
