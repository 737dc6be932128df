package parse

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// The line the istio.io http-proxy task shows from sameersbn/squid:3.5.27.
const squid35DocLine = "1544160065.248    228 172.30.109.89 TCP_TUNNEL/200 87633 CONNECT en.wikipedia.org:443 - HIER_DIRECT/91.198.174.192 -"

func TestParseSquidLogDocLine(t *testing.T) {
	entries, err := ParseSquidLog(strings.NewReader(squid35DocLine + "\n"))
	if err != nil {
		t.Fatalf("ParseSquidLog: %v", err)
	}
	want := SquidEntry{
		Time:    time.Unix(1544160065, 248*int64(time.Millisecond)),
		Elapsed: 228 * time.Millisecond, Client: "172.30.109.89", ResultCode: "TCP_TUNNEL", Status: 200,
		Bytes: 87633, Method: "CONNECT", URL: "en.wikipedia.org:443", User: "-",
		Hierarchy: "HIER_DIRECT/91.198.174.192", ContentType: "-", Raw: squid35DocLine,
	}
	if len(entries) != 1 || entries[0] != want {
		t.Fatalf("ParseSquidLog = %+v\nwant [%+v]", entries, want)
	}
	if got := entries[0].Start(); !got.Equal(time.Unix(1544160065, 20*int64(time.Millisecond))) {
		t.Errorf("Start() = %v, want 1544160065.020", got)
	}
}

// testdata/squid-5.7-access.log was written by a real Squid 5.7 (see testdata/README.md).
func TestParseSquidLogCaptured(t *testing.T) {
	entries, err := ParseSquidLog(bytes.NewReader(readTestdata(t, "squid-5.7-access.log")))
	if err != nil {
		t.Fatalf("ParseSquidLog: %v", err)
	}
	type short struct {
		code        string
		status      int
		method, url string
		hier, ctype string
		elapsed     time.Duration
	}
	want := []short{
		{"TCP_TUNNEL", 200, "CONNECT", "127.0.0.1:443", "HIER_DIRECT/127.0.0.1", "-", 14 * time.Millisecond},
		{"TCP_DENIED", 403, "CONNECT", "127.0.0.1:18443", "HIER_NONE/-", "text/html", 0},
		{"TCP_MISS", 200, "GET", "http://127.0.0.1:18080/get", "HIER_DIRECT/127.0.0.1", "application/json", 2 * time.Millisecond},
		{"TCP_MISS", 404, "GET", "http://127.0.0.1:18080/status/404", "HIER_DIRECT/127.0.0.1", "-", 0},
		{"TCP_MISS_ABORTED", 0, "GET", "http://127.0.0.1:18080/delay/3", "HIER_DIRECT/127.0.0.1", "-", 1006 * time.Millisecond},
		{"TCP_TUNNEL", 200, "CONNECT", "127.0.0.1:443", "HIER_DIRECT/127.0.0.1", "-", 10 * time.Millisecond},
		{"TCP_DENIED", 403, "CONNECT", "127.0.0.1:18443", "HIER_NONE/-", "text/html", 0},
	}
	if len(entries) != len(want) {
		t.Fatalf("got %d entries, want %d", len(entries), len(want))
	}
	for i, w := range want {
		e := entries[i]
		got := short{e.ResultCode, e.Status, e.Method, e.URL, e.Hierarchy, e.ContentType, e.Elapsed}
		if got != w {
			t.Errorf("entry %d = %+v, want %+v", i, got, w)
		}
		if e.Client != "127.0.0.1" || e.User != "-" {
			t.Errorf("entry %d client/user = %q/%q", i, e.Client, e.User)
		}
	}
	if got := entries[0].Time; !got.Equal(time.Unix(1795325241, 879*int64(time.Millisecond))) {
		t.Errorf("entry 0 time = %v", got)
	}
	if entries[0].Bytes != 1856 || entries[4].Bytes != 0 {
		t.Errorf("bytes = %d, %d; want 1856, 0", entries[0].Bytes, entries[4].Bytes)
	}
}

func TestSquidSince(t *testing.T) {
	entries, err := ParseSquidLog(bytes.NewReader(readTestdata(t, "squid-5.7-access.log")))
	if err != nil {
		t.Fatal(err)
	}
	ms := func(sec, milli int64) time.Time { return time.Unix(sec, milli*int64(time.Millisecond)) }
	tests := []struct {
		name string
		t    time.Time
		want []string // URLs in order
	}{
		{"before all", ms(1795325200, 0), []string{"127.0.0.1:443", "127.0.0.1:18443", "http://127.0.0.1:18080/get",
			"http://127.0.0.1:18080/status/404", "http://127.0.0.1:18080/delay/3", "127.0.0.1:443", "127.0.0.1:18443"}},
		// The aborted /delay/3 request was logged at 1795325242.952 after 1006 ms: it
		// started at 1795325241.946. A probe started at 1795325242.000 did not send it,
		// although its log time is later than t.
		{"by start time, not log time", ms(1795325242, 0), []string{"127.0.0.1:443", "127.0.0.1:18443"}},
		{"before the aborted request started", ms(1795325241, 940), []string{"http://127.0.0.1:18080/delay/3", "127.0.0.1:443", "127.0.0.1:18443"}},
		// Started exactly at t (computed start .946): included.
		{"start equal to t", ms(1795325241, 946), []string{"http://127.0.0.1:18080/delay/3", "127.0.0.1:443", "127.0.0.1:18443"}},
		// t 0.5 ms after the computed start: kept, truncation can hide up to 1 ms.
		{"within truncation slack", ms(1795325241, 946).Add(500 * time.Microsecond), []string{"http://127.0.0.1:18080/delay/3", "127.0.0.1:443", "127.0.0.1:18443"}},
		// t 1 ms after the computed start: excluded.
		{"after start", ms(1795325241, 947), []string{"127.0.0.1:443", "127.0.0.1:18443"}},
		{"after all", ms(1795325300, 0), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range SquidSince(entries, tt.t) {
				got = append(got, e.URL)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("SquidSince(%v) = %v, want %v", tt.t, got, tt.want)
			}
		})
	}
}

func TestParseSquidLogVariants(t *testing.T) {
	in := "\n" +
		"1795325241.9      5 10.0.0.1 TCP_MISS/200 10 GET http://x/ alice HIER_DIRECT/2001:db8::1 text/html; charset=utf-8\r\n" +
		"  \n" +
		"1795325241 0 10.0.0.1 NONE_NONE/000 0 - error:transaction-end-before-headers - HIER_NONE/- -"
	entries, err := ParseSquidLog(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ParseSquidLog: %v", err)
	}
	if len(entries) != 2 {
		t.Fatalf("got %d entries, want 2", len(entries))
	}
	a := entries[0]
	if !a.Time.Equal(time.Unix(1795325241, 900*int64(time.Millisecond))) || a.User != "alice" ||
		a.Hierarchy != "HIER_DIRECT/2001:db8::1" || a.ContentType != "text/html; charset=utf-8" ||
		strings.HasSuffix(a.Raw, "\r") {
		t.Errorf("entry 0 = %+v", a)
	}
	b := entries[1]
	if !b.Time.Equal(time.Unix(1795325241, 0)) || b.ResultCode != "NONE_NONE" || b.Status != 0 || b.Method != "-" {
		t.Errorf("entry 1 = %+v", b)
	}
}

func TestParseSquidLogErrors(t *testing.T) {
	tests := []struct{ name, line, wantInMsg string }{
		{"too few fields", "1544160065.248 228 172.30.109.89 TCP_TUNNEL/200 87633 CONNECT en.wikipedia.org:443 -", "fields"},
		{"bad time", strings.Replace(squid35DocLine, "1544160065.248", "15441600x5.248", 1), "time"},
		{"time with trailing dot", strings.Replace(squid35DocLine, "1544160065.248", "1544160065.", 1), "time"},
		{"time too precise", strings.Replace(squid35DocLine, "1544160065.248", "1544160065.1234567890", 1), "time"},
		{"negative elapsed", strings.Replace(squid35DocLine, "   228", "  -228", 1), "elapsed"},
		{"no status", strings.Replace(squid35DocLine, "TCP_TUNNEL/200", "TCP_TUNNEL", 1), "CODE/STATUS"},
		{"bad status", strings.Replace(squid35DocLine, "TCP_TUNNEL/200", "TCP_TUNNEL/2a0", 1), "status"},
		{"bad bytes", strings.Replace(squid35DocLine, "87633", "8763x", 1), "bytes"},
		{"bad hierarchy", strings.Replace(squid35DocLine, "HIER_DIRECT/91.198.174.192", "HIER_DIRECT", 1), "hierarchy"},
		{"envoy line", `[2026-11-22T05:10:01.234Z] "GET / HTTP/1.1" 200 - via_upstream - "-" 0 1 2 3 "-"`, "time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := squid35DocLine + "\n\n" + tt.line + "\n"
			entries, err := ParseSquidLog(strings.NewReader(in))
			if err == nil {
				t.Fatalf("ParseSquidLog(%q) = %+v, want error", tt.line, entries)
			}
			wantLineError(t, err, 3)
			if !strings.Contains(err.Error(), tt.wantInMsg) || !strings.Contains(err.Error(), tt.line[:20]) {
				t.Errorf("error %q should mention %q and quote the line", err, tt.wantInMsg)
			}
		})
	}
}
