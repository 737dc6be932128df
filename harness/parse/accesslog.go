package parse

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// AccessLogEntry is one line of Istio's default Envoy access log in TEXT encoding
// (meshConfig.accessLogFile=/dev/stdout, no accessLogFormat). String fields keep
// Envoy's "-" for "no value". Fields that the line's format version does not have
// are "" (e.g. ResponseCodeDetails and RouteName in pre-1.9 / pre-1.3 lines).
type AccessLogEntry struct {
	Start                               time.Time // [%START_TIME%]
	Method, Path, Protocol              string    // "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%"; TCP: "-", "-", "-"
	ResponseCode                        int       // 0 for TCP lines
	ResponseFlags                       string    // "-", "UT", "UF,URX", ...
	ResponseCodeDetails                 string    // Istio >= 1.9
	ConnectionTerminationDetails        string    // Istio >= 1.9
	UpstreamTransportFailureReason      string    // Istio >= 1.2
	BytesReceived, BytesSent            int64
	Duration                            time.Duration // %DURATION% (ms)
	UpstreamServiceTime                 string        // x-envoy-upstream-service-time, "-" when absent
	XForwardedFor, UserAgent, RequestID string
	Authority, UpstreamHost             string
	UpstreamCluster                     string // outbound|80||httpbin.org, PassthroughCluster, BlackHoleCluster
	UpstreamLocalAddress                string
	DownstreamLocalAddress              string
	DownstreamRemoteAddress             string
	RequestedServerName                 string // SNI, "-" when none
	RouteName                           string // Istio >= 1.3
	Raw                                 string // the line as read (without its line ending)
}

// IsTCP reports a line written by the TCP proxy rather than the HTTP connection
// manager: its request field is "- - -" (no method, path or protocol).
func (e AccessLogEntry) IsTCP() bool {
	return e.Method == "-" && e.Path == "-" && e.Protocol == "-"
}

// field identifies a token of the access log format.
type field int

const (
	fRequest field = iota
	fCode
	fFlags
	fDetails
	fTermDetails
	fMixerStatus // %DYNAMIC_METADATA(istio.mixer:status)%, Istio < 1.9; dropped
	fTransportFailure
	fBytesReceived
	fBytesSent
	fDuration
	fUpstreamServiceTime
	fXFF
	fUserAgent
	fRequestID
	fAuthority
	fUpstreamHost
	fCluster
	fUpstreamLocal
	fDownstreamLocal
	fDownstreamRemote
	fSNI
	fRoute
)

type slot struct {
	f      field
	quoted bool
}

// accessLogLayouts lists the tokens after "[%START_TIME%] " for each version of
// Istio's EnvoyTextLogFormat, keyed by the line's field count including the
// timestamp (the count tells the versions apart):
//
//	22: Istio >= 1.9  RESPONSE_CODE_DETAILS and CONNECTION_TERMINATION_DETAILS replace the mixer status
//	21: Istio 1.3-1.8 "%DYNAMIC_METADATA(istio.mixer:status)%" "%UPSTREAM_TRANSPORT_FAILURE_REASON%", + %ROUTE_NAME%
//	20: Istio 1.2     as 1.3 without %ROUTE_NAME%
//	19: Istio 1.1     "%DYNAMIC_METADATA(istio.mixer:status)%", no transport failure reason, no route
//	                  (the docs' 2019 line `[...] "GET /headers HTTP/1.1" 200 - "-" 0 599 214 214 ...`)
var accessLogLayouts = map[int][]slot{
	22: append([]slot{q(fRequest), b(fCode), b(fFlags), b(fDetails), b(fTermDetails), q(fTransportFailure)}, tail(true)...),
	21: append([]slot{q(fRequest), b(fCode), b(fFlags), q(fMixerStatus), q(fTransportFailure)}, tail(true)...),
	20: append([]slot{q(fRequest), b(fCode), b(fFlags), q(fMixerStatus), q(fTransportFailure)}, tail(false)...),
	19: append([]slot{q(fRequest), b(fCode), b(fFlags), q(fMixerStatus)}, tail(false)...),
}

var layoutNames = map[int]string{22: "1.9+", 21: "1.3-1.8", 20: "1.2", 19: "1.1"}

func q(f field) slot { return slot{f, true} }
func b(f field) slot { return slot{f, false} }

// tail is the part shared by every version, from %BYTES_RECEIVED% on.
func tail(route bool) []slot {
	t := []slot{b(fBytesReceived), b(fBytesSent), b(fDuration), b(fUpstreamServiceTime),
		q(fXFF), q(fUserAgent), q(fRequestID), q(fAuthority), q(fUpstreamHost),
		b(fCluster), b(fUpstreamLocal), b(fDownstreamLocal), b(fDownstreamRemote), b(fSNI)}
	if route {
		t = append(t, b(fRoute))
	}
	return t
}

// ParseAccessLog parses Envoy access log lines from a container's stdout (e.g.
// `kubectl logs <pod> -c istio-proxy`). Lines that are not access-log lines
// (istio-proxy's own "2024-01-01T00:00:00.000000Z\tinfo\t..." logs, blank lines,
// JSON-encoded lines) are skipped and counted. A line that starts like an access log
// line — "[" + RFC 3339 timestamp + "] " — but does not parse is an error.
func ParseAccessLog(r io.Reader) (entries []AccessLogEntry, skipped int, err error) {
	err = eachLine("access log", r, func(line string) error {
		ts, rest, ok := accessLogPrefix(line)
		if !ok {
			skipped++
			return nil
		}
		e, perr := parseAccessLogLine(ts, rest)
		if perr != nil {
			return perr
		}
		e.Raw = line
		entries = append(entries, e)
		return nil
	})
	if err != nil {
		return nil, skipped, err
	}
	return entries, skipped, nil
}

// accessLogPrefix recognises "[<RFC 3339 time>] rest".
func accessLogPrefix(line string) (time.Time, string, bool) {
	if !strings.HasPrefix(line, "[") {
		return time.Time{}, "", false
	}
	end := strings.Index(line, "] ")
	if end < 0 {
		return time.Time{}, "", false
	}
	ts, err := time.Parse(time.RFC3339Nano, line[1:end])
	if err != nil {
		return time.Time{}, "", false
	}
	return ts, line[end+2:], true
}

func parseAccessLogLine(start time.Time, rest string) (AccessLogEntry, error) {
	toks, err := tokenizeAccessLog(rest)
	if err != nil {
		return AccessLogEntry{}, err
	}
	slots, ok := accessLogLayouts[1+len(toks)]
	if !ok {
		return AccessLogEntry{}, fmt.Errorf("%d fields counting the timestamp; Istio's default formats have 19 (1.1), 20 (1.2), 21 (1.3-1.8) or 22 (1.9+)", 1+len(toks))
	}
	e := AccessLogEntry{Start: start}
	for i, s := range slots {
		t := toks[i]
		if t.quoted != s.quoted {
			want := "bare"
			if s.quoted {
				want = "quoted"
			}
			return AccessLogEntry{}, fmt.Errorf("%d fields, read as the Istio %s format: field %d (%s) should be %s, got %q",
				1+len(toks), layoutNames[1+len(toks)], i+2, s.f, want, truncate(t.text))
		}
		if err := e.set(s.f, t.text); err != nil {
			return AccessLogEntry{}, fmt.Errorf("field %d (%s): %w", i+2, s.f, err)
		}
	}
	return e, nil
}

func (e *AccessLogEntry) set(f field, v string) error {
	var err error
	switch f {
	case fRequest:
		e.Method, e.Path, e.Protocol, err = splitRequest(v)
	case fCode:
		var c uint64
		c, err = digits(v, 999)
		e.ResponseCode = int(c)
	case fFlags:
		e.ResponseFlags = v
	case fDetails:
		e.ResponseCodeDetails = v
	case fTermDetails:
		e.ConnectionTerminationDetails = v
	case fMixerStatus:
	case fTransportFailure:
		e.UpstreamTransportFailureReason = v
	case fBytesReceived:
		e.BytesReceived, err = int64Digits(v)
	case fBytesSent:
		e.BytesSent, err = int64Digits(v)
	case fDuration:
		var ms uint64
		ms, err = digits(v, uint64(math.MaxInt64/int64(time.Millisecond)))
		e.Duration = time.Duration(ms) * time.Millisecond
	case fUpstreamServiceTime:
		e.UpstreamServiceTime = v
	case fXFF:
		e.XForwardedFor = v
	case fUserAgent:
		e.UserAgent = v
	case fRequestID:
		e.RequestID = v
	case fAuthority:
		e.Authority = v
	case fUpstreamHost:
		e.UpstreamHost = v
	case fCluster:
		e.UpstreamCluster = v
	case fUpstreamLocal:
		e.UpstreamLocalAddress = v
	case fDownstreamLocal:
		e.DownstreamLocalAddress = v
	case fDownstreamRemote:
		e.DownstreamRemoteAddress = v
	case fSNI:
		e.RequestedServerName = v
	case fRoute:
		e.RouteName = v
	}
	return err
}

func (f field) String() string {
	names := [...]string{"request", "response code", "response flags", "response code details",
		"connection termination details", "mixer status", "upstream transport failure reason",
		"bytes received", "bytes sent", "duration", "upstream service time", "x-forwarded-for",
		"user-agent", "request id", "authority", "upstream host", "upstream cluster",
		"upstream local address", "downstream local address", "downstream remote address",
		"requested server name", "route name"}
	if int(f) < len(names) {
		return names[f]
	}
	return "field" + strconv.Itoa(int(f))
}

// splitRequest splits "GET /path HTTP/1.1" at its first and last space.
func splitRequest(v string) (method, path, proto string, err error) {
	i, j := strings.IndexByte(v, ' '), strings.LastIndexByte(v, ' ')
	if i <= 0 || j <= i+1 || j == len(v)-1 {
		return "", "", "", fmt.Errorf(`want "METHOD PATH PROTOCOL" (or "- - -"), got %q`, truncate(v))
	}
	return v[:i], v[i+1 : j], v[j+1:], nil
}

type token struct {
	text   string
	quoted bool
}

// tokenizeAccessLog splits on single spaces. A token starting with '"' is quoted and
// ends at the first '"' followed by a space or the end of the line (Envoy does not
// escape quotes inside values, so a quote not followed by a space is content).
func tokenizeAccessLog(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		var t token
		if s[i] == '"' {
			j := i + 1
			for ; j < len(s); j++ {
				if s[j] == '"' && (j+1 == len(s) || s[j+1] == ' ') {
					break
				}
			}
			if j >= len(s) {
				return nil, fmt.Errorf("unterminated quoted field starting at byte %d", i)
			}
			t, i = token{text: s[i+1 : j], quoted: true}, j+1
		} else {
			j := strings.IndexByte(s[i:], ' ')
			if j == 0 {
				return nil, fmt.Errorf("empty field at byte %d (two spaces in a row)", i)
			}
			if j < 0 {
				j = len(s) - i
			}
			t, i = token{text: s[i : i+j]}, i+j
		}
		toks = append(toks, t)
		if i < len(s) {
			i++ // the separating space
			if i == len(s) {
				return nil, errors.New("trailing space after the last field")
			}
		}
	}
	if len(toks) == 0 {
		return nil, errors.New("nothing after the timestamp")
	}
	return toks, nil
}

// digits parses a non-negative decimal made only of ASCII digits, at most max.
func digits(s string, max uint64) (uint64, error) {
	if s == "" || len(s) > 20 {
		return 0, fmt.Errorf("%q is not a non-negative integer", truncate(s))
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("%q is not a non-negative integer", truncate(s))
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > max {
		return 0, fmt.Errorf("%q is out of range (max %d)", s, max)
	}
	return v, nil
}

func int64Digits(s string) (int64, error) {
	v, err := digits(s, math.MaxInt64)
	return int64(v), err
}
