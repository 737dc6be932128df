package parse

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// addSeeds adds every testdata file matching pattern, each of its lines on its own
// (small inputs keep the fuzzer fast), plus extra inputs.
func addSeeds(f *testing.F, pattern string, extra ...string) {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed files for %q (err %v)", pattern, err)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		for _, line := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(line)) > 0 {
				f.Add(line)
			}
		}
	}
	for _, s := range extra {
		f.Add([]byte(s))
	}
}

func FuzzParseCurlJSON(f *testing.F) {
	addSeeds(f, "curl-7.88-*.json", "", "{", `{"http_code":200}`, `x{"http_code":1e400}`, `{"a":{"b":1}}{"http_code":0}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseCurlJSON(b)
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Errorf("error message %d bytes long", len(err.Error()))
			}
			return
		}
		if c.Scheme != strings.ToLower(c.Scheme) {
			t.Errorf("scheme %q not lower-cased", c.Scheme)
		}
		if c.TimeTotal < 0 || c.TimeConnect < 0 {
			t.Errorf("negative durations: %+v", c)
		}
		// Output without '{' before, or whitespace after, does not change the result.
		for _, v := range [][]byte{append(bytes.Clone(b), '\n'), append([]byte("body text\n"), b...)} {
			c2, err := ParseCurlJSON(v)
			if err != nil || c2 != c {
				t.Errorf("ParseCurlJSON(%q) = %+v, %v; want %+v", v, c2, err, c)
			}
		}
	})
}

func FuzzParseStats(f *testing.F) {
	addSeeds(f, "envoy-*stats.txt", "a: 1", "a: P0(nan,0)", `a: "x: y"`, "a:b: 2\r\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := ParseStats(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Writing the stats back as "name: value" lines and parsing them again gives the same map.
		var buf strings.Builder
		for name, v := range s {
			if strings.TrimSpace(name) == "" {
				t.Fatalf("empty stat name in %v", s)
			}
			fmt.Fprintf(&buf, "%s: %d\n", name, v)
		}
		s2, err := ParseStats(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", buf.String(), err)
		}
		if len(s2) != len(s) {
			t.Fatalf("re-parse: %v, want %v", s2, s)
		}
		for k, v := range s {
			if got, ok := s2.Value(k); !ok || got != v {
				t.Errorf("re-parse: %q = %d, %v; want %d", k, got, ok, v)
			}
		}
	})
}

func FuzzParseClusters(f *testing.F) {
	addSeeds(f, "envoy-*clusters.txt", "c::[::1]:1::cx_total::1", "a::b::1.2.3.4:5::rq_total::6", "c::x::y")
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := ParseClusters(bytes.NewReader(b))
		if err != nil {
			return
		}
		// Writing every attribute and host stat back as lines re-parses to the same clusters.
		var buf strings.Builder
		for name, c := range cs {
			if c == nil || c.Name != name || name == "" {
				t.Fatalf("cluster %q: %+v", name, c)
			}
			if _, ok := cs.HostCounter(name, "cx_total"); !ok {
				t.Errorf("HostCounter(%q) not ok", name)
			}
			for k, v := range c.Attrs {
				fmt.Fprintf(&buf, "%s::%s::%s\n", name, k, v)
			}
			for h, stats := range c.Hosts {
				for k, v := range stats {
					if !nonNumericHostKeys[k] {
						if _, err := strconv.ParseUint(v, 10, 64); err != nil {
							t.Errorf("host %s stat %s = %q not numeric", h, k, v)
						}
					}
					fmt.Fprintf(&buf, "%s::%s::%s::%s\n", name, h, k, v)
				}
			}
		}
		cs2, err := ParseClusters(strings.NewReader(buf.String()))
		if err != nil {
			t.Fatalf("re-parse of %q: %v", buf.String(), err)
		}
		if got, want := dumpClusters(cs2), dumpClusters(cs); got != want {
			t.Errorf("re-parse:\n%s\nwant\n%s", got, want)
		}
	})
}

func dumpClusters(cs Clusters) string {
	var lines []string
	for name, c := range cs {
		lines = append(lines, fmt.Sprintf("C %q", name))
		for k, v := range c.Attrs {
			lines = append(lines, fmt.Sprintf("A %q %q %q", name, k, v))
		}
		for h, stats := range c.Hosts {
			for k, v := range stats {
				lines = append(lines, fmt.Sprintf("H %q %q %q %q", name, h, k, v))
			}
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func FuzzParseAccessLog(f *testing.F) {
	addSeeds(f, "[ei]*-access*.log",
		`[2026-11-22T05:10:01+01:00] "- - -" 0 - - - "-" 1 2 3 - "-" "-" "-" "-" "-" c - - - - -`,
		`[2026-11-22T05:10:01.234Z] "GET / HTTP/1.1" 200 - "" "" 0 1 2 3 "" "" "" "" "" c - - - -`)
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, _, err := ParseAccessLog(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, e := range entries {
			// Re-parsing Raw yields the same entry.
			again, skipped, err := ParseAccessLog(strings.NewReader(e.Raw))
			if err != nil || skipped != 0 || len(again) != 1 || !sameEntry(again[0], e) || again[0].Raw != e.Raw {
				t.Fatalf("re-parse of Raw %q = %+v, %d, %v; want %+v", e.Raw, again, skipped, err, e)
			}
			if e.IsTCP() != (e.Method == "-" && e.Path == "-" && e.Protocol == "-") {
				t.Errorf("IsTCP inconsistent for %+v", e)
			}
			if e.ResponseCode < 0 || e.ResponseCode > 999 || e.BytesReceived < 0 || e.BytesSent < 0 || e.Duration < 0 {
				t.Errorf("out-of-range numbers in %+v", e)
			}
			// Formatting the entry with the same layout and parsing it gives the same entry.
			line := formatAccessLog(t, e)
			re, _, err := ParseAccessLog(strings.NewReader(line))
			if err != nil || len(re) != 1 || !sameEntry(re[0], e) {
				t.Fatalf("formatted %q re-parsed to %+v, %v; want %+v", line, re, err, e)
			}
		}
	})
}

// sameEntry compares entries ignoring Raw and the Location of Start.
func sameEntry(a, b AccessLogEntry) bool {
	if !a.Start.Equal(b.Start) {
		return false
	}
	a.Start, b.Start, a.Raw, b.Raw = time.Time{}, time.Time{}, "", ""
	return a == b
}

// formatAccessLog writes e back in the layout its Raw line used.
func formatAccessLog(t *testing.T, e AccessLogEntry) string {
	t.Helper()
	_, rest, ok := accessLogPrefix(e.Raw)
	if !ok {
		t.Fatalf("Raw %q has no access log prefix", e.Raw)
	}
	toks, err := tokenizeAccessLog(rest)
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{"[" + e.Start.Format(time.RFC3339Nano) + "]"}
	for _, s := range accessLogLayouts[1+len(toks)] {
		var v string
		switch s.f {
		case fRequest:
			v = e.Method + " " + e.Path + " " + e.Protocol
		case fCode:
			v = strconv.Itoa(e.ResponseCode)
		case fFlags:
			v = e.ResponseFlags
		case fDetails:
			v = e.ResponseCodeDetails
		case fTermDetails:
			v = e.ConnectionTerminationDetails
		case fMixerStatus:
			v = "-"
		case fTransportFailure:
			v = e.UpstreamTransportFailureReason
		case fBytesReceived:
			v = strconv.FormatInt(e.BytesReceived, 10)
		case fBytesSent:
			v = strconv.FormatInt(e.BytesSent, 10)
		case fDuration:
			v = strconv.FormatInt(e.Duration.Milliseconds(), 10)
		case fUpstreamServiceTime:
			v = e.UpstreamServiceTime
		case fXFF:
			v = e.XForwardedFor
		case fUserAgent:
			v = e.UserAgent
		case fRequestID:
			v = e.RequestID
		case fAuthority:
			v = e.Authority
		case fUpstreamHost:
			v = e.UpstreamHost
		case fCluster:
			v = e.UpstreamCluster
		case fUpstreamLocal:
			v = e.UpstreamLocalAddress
		case fDownstreamLocal:
			v = e.DownstreamLocalAddress
		case fDownstreamRemote:
			v = e.DownstreamRemoteAddress
		case fSNI:
			v = e.RequestedServerName
		case fRoute:
			v = e.RouteName
		}
		if s.quoted {
			v = `"` + v + `"`
		}
		parts = append(parts, v)
	}
	return strings.Join(parts, " ")
}

func FuzzParseSquidLog(f *testing.F) {
	addSeeds(f, "squid-5.7-access.log", squid35DocLine, "1.5 0 a B/000 0 c d e f/g h i", "1 2 3 4/5 6 7 8 9 10/ 11")
	f.Fuzz(func(t *testing.T, b []byte) {
		entries, err := ParseSquidLog(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, e := range entries {
			again, err := ParseSquidLog(strings.NewReader(e.Raw))
			if err != nil || len(again) != 1 || again[0] != e {
				t.Fatalf("re-parse of Raw %q = %+v, %v; want %+v", e.Raw, again, err, e)
			}
			if e.Elapsed < 0 || e.Bytes < 0 || e.Status < 0 || e.Status > 999 {
				t.Errorf("out-of-range numbers in %+v", e)
			}
			// Writing the entry in Squid's layout and parsing it gives the same entry.
			line := fmt.Sprintf("%d.%09d %6d %s %s/%03d %d %s %s %s %s %s", e.Time.Unix(), e.Time.Nanosecond(),
				e.Elapsed.Milliseconds(), e.Client, e.ResultCode, e.Status, e.Bytes, e.Method, e.URL, e.User,
				e.Hierarchy, e.ContentType)
			re, err := ParseSquidLog(strings.NewReader(line))
			if err != nil || len(re) != 1 {
				t.Fatalf("formatted %q: %+v, %v", line, re, err)
			}
			re[0].Raw = e.Raw
			if re[0] != e {
				t.Fatalf("formatted %q re-parsed to %+v, want %+v", line, re[0], e)
			}
			// An entry is always found by a probe that started when it did.
			if since := SquidSince([]SquidEntry{e}, e.Start()); len(since) != 1 {
				t.Errorf("SquidSince(e, e.Start()) dropped %+v", e)
			}
		}
	})
}
