package parse

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestParseAccessLogCurrentFormat(t *testing.T) {
	raw := readTestdata(t, "istio-proxy-access.log")
	entries, skipped, err := ParseAccessLog(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("ParseAccessLog: %v", err)
	}
	// 15 lines: 3 istio-proxy log lines, 1 Envoy "[date time]" log line, 1 JSON line, 10 access log lines.
	if len(entries) != 10 || skipped != 5 {
		t.Fatalf("got %d entries, %d skipped; want 10, 5", len(entries), skipped)
	}
	lines := strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n")

	http := entries[0]
	want := AccessLogEntry{
		Start:  mustTime(t, "2026-11-22T05:10:01.234Z"),
		Method: "GET", Path: "/headers", Protocol: "HTTP/1.1",
		ResponseCode: 200, ResponseFlags: "-", ResponseCodeDetails: "via_upstream",
		ConnectionTerminationDetails: "-", UpstreamTransportFailureReason: "-",
		BytesReceived: 0, BytesSent: 1092, Duration: 12 * time.Millisecond, UpstreamServiceTime: "11",
		XForwardedFor: "-", UserAgent: "curl/8.16.0", RequestID: "0c9a7e3e-5f4b-4d1e-a5f0-6f2f1a8d9c01",
		Authority: "httpbin.egress.test", UpstreamHost: "172.18.0.5:80",
		UpstreamCluster:      "outbound|80||httpbin.egress.test",
		UpstreamLocalAddress: "10.244.0.7:43210", DownstreamLocalAddress: "10.96.120.15:80",
		DownstreamRemoteAddress: "10.244.0.7:43208", RequestedServerName: "-", RouteName: "default",
		Raw: lines[3],
	}
	if http != want {
		t.Errorf("HTTP entry =\n %+v\nwant\n %+v", http, want)
	}
	if http.IsTCP() {
		t.Error("HTTP entry reported IsTCP")
	}

	timeout := entries[1]
	if timeout.ResponseCode != 504 || timeout.ResponseFlags != "UT" || timeout.ResponseCodeDetails != "response_timeout" ||
		timeout.Duration != 3001*time.Millisecond || timeout.UpstreamServiceTime != "-" || timeout.RouteName != "-" {
		t.Errorf("504 entry = %+v", timeout)
	}

	tcp := entries[2]
	if !tcp.IsTCP() || tcp.ResponseCode != 0 || tcp.Method != "-" || tcp.Path != "-" || tcp.Protocol != "-" ||
		tcp.UpstreamCluster != "outbound|443||secure.egress.test" || tcp.RequestedServerName != "secure.egress.test" ||
		tcp.BytesReceived != 839 || tcp.BytesSent != 5312 || tcp.UserAgent != "-" {
		t.Errorf("TCP entry = %+v", tcp)
	}

	if bh := entries[3]; bh.UpstreamCluster != "BlackHoleCluster" || bh.ResponseFlags != "UH" || !bh.IsTCP() || bh.UpstreamLocalAddress != "-" {
		t.Errorf("BlackHole entry = %+v", bh)
	}
	if blocked := entries[4]; blocked.ResponseCode != 502 || blocked.RouteName != "block_all" || blocked.UpstreamCluster != "-" {
		t.Errorf("block_all entry = %+v", blocked)
	}
	if pt := entries[5]; pt.UpstreamCluster != "PassthroughCluster" || pt.UserAgent != `Mozilla/5.0 (X11; Linux x86_64) "quoted"-agent` {
		t.Errorf("passthrough entry = %+v", pt)
	}
	if proxy := entries[6]; proxy.UpstreamCluster != "outbound|3128||my-company-proxy.com" || proxy.UpstreamHost != "172.18.0.9:3128" {
		t.Errorf("proxy entry = %+v", proxy)
	}
	if gw := entries[7]; gw.Protocol != "HTTP/2" || gw.ResponseCode != 301 || gw.XForwardedFor != "10.244.0.7" {
		t.Errorf("gateway entry = %+v", gw)
	}
	uf := entries[8]
	if uf.ResponseFlags != "UF,URX" || uf.UpstreamLocalAddress != "-" ||
		uf.UpstreamTransportFailureReason != "TLS_error:_268435581:SSL_routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED" ||
		!strings.HasPrefix(uf.ResponseCodeDetails, "upstream_reset_before_response_started{") {
		t.Errorf("UF entry = %+v", uf)
	}
	if v6 := entries[9]; v6.UpstreamHost != "[2001:db8::10]:80" || v6.DownstreamRemoteAddress != "[fd00:10:244::7]:43248" {
		t.Errorf("IPv6 entry = %+v", v6)
	}
}

// The two sample lines of istio.io's "Envoy Access Logs" task (2020, Istio 1.9+ format).
func TestParseAccessLogDocsLines(t *testing.T) {
	in := `[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 4 4 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "10.44.1.27:80" outbound|8000||httpbin.foo.svc.cluster.local 10.44.1.23:37652 10.0.45.184:8000 10.44.1.23:46520 - default
[2020-11-25T21:26:18.409Z] "GET /status/418 HTTP/1.1" 418 - via_upstream - "-" 0 135 3 1 "-" "curl/7.73.0-DEV" "84961386-6d84-929d-98bd-c5aee93b5c88" "httpbin:8000" "127.0.0.1:80" inbound|8000|| 127.0.0.1:41854 10.44.1.27:80 10.44.1.23:37652 outbound_.8000_._.httpbin.foo.svc.cluster.local default
`
	entries, skipped, err := ParseAccessLog(strings.NewReader(in))
	if err != nil || skipped != 0 || len(entries) != 2 {
		t.Fatalf("ParseAccessLog = %d entries, %d skipped, %v; want 2, 0, nil", len(entries), skipped, err)
	}
	c, s := entries[0], entries[1]
	if c.ResponseCode != 418 || c.Duration != 4*time.Millisecond || c.UpstreamCluster != "outbound|8000||httpbin.foo.svc.cluster.local" ||
		c.DownstreamRemoteAddress != "10.44.1.23:46520" || c.RequestedServerName != "-" || c.RouteName != "default" {
		t.Errorf("client-side entry = %+v", c)
	}
	if s.UpstreamCluster != "inbound|8000||" || s.UpstreamServiceTime != "1" || s.UpstreamLocalAddress != "127.0.0.1:41854" ||
		s.RequestedServerName != "outbound_.8000_._.httpbin.foo.svc.cluster.local" || s.RequestID != c.RequestID {
		t.Errorf("server-side entry = %+v", s)
	}
}

// Older Istio formats, decided by field count. The first line is quoted verbatim from
// the 2019 istio.io egress docs (except the request id, elided there as "...").
func TestParseAccessLogOlderFormats(t *testing.T) {
	entries, skipped, err := ParseAccessLog(bytes.NewReader(readTestdata(t, "istio-proxy-access-old.log")))
	if err != nil {
		t.Fatalf("ParseAccessLog: %v", err)
	}
	if len(entries) != 3 || skipped != 0 {
		t.Fatalf("got %d entries, %d skipped; want 3, 0", len(entries), skipped)
	}
	v11 := entries[0]
	want := AccessLogEntry{
		Start:  mustTime(t, "2019-01-24T12:17:11.640Z"),
		Method: "GET", Path: "/headers", Protocol: "HTTP/1.1", ResponseCode: 200, ResponseFlags: "-",
		BytesReceived: 0, BytesSent: 599, Duration: 214 * time.Millisecond, UpstreamServiceTime: "214",
		XForwardedFor: "-", UserAgent: "curl/7.60.0", RequestID: "876c1d7e-0b8e-9bc8-b3b3-e3c5b0f16a2e",
		Authority: "httpbin.org", UpstreamHost: "35.173.6.94:80", UpstreamCluster: "outbound|80||httpbin.org",
		UpstreamLocalAddress: "-", DownstreamLocalAddress: "35.173.6.94:80", DownstreamRemoteAddress: "172.30.109.82:55314",
		RequestedServerName: "-", Raw: v11.Raw,
		// ResponseCodeDetails, ConnectionTerminationDetails, UpstreamTransportFailureReason, RouteName: not in 1.1
	}
	if v11 != want {
		t.Errorf("1.1 entry =\n %+v\nwant\n %+v", v11, want)
	}
	v12 := entries[1]
	if v12.ResponseCode != 418 || v12.UpstreamTransportFailureReason != "-" || v12.RouteName != "" ||
		v12.UpstreamCluster != "inbound|8000|http|httpbin.default.svc.cluster.local" || v12.DownstreamRemoteAddress != "10.44.1.23:37652" {
		t.Errorf("1.2 entry = %+v", v12)
	}
	v13 := entries[2]
	if v13.RouteName != "default" || v13.RequestedServerName != "outbound_.8000_._.httpbin.default.svc.cluster.local" ||
		v13.ResponseCodeDetails != "" || v13.UpstreamLocalAddress != "127.0.0.1:41854" {
		t.Errorf("1.3 entry = %+v", v13)
	}
}

func TestParseAccessLogSkips(t *testing.T) {
	in := strings.Join([]string{
		"",
		"2024-01-01T00:00:00.000000Z\tinfo\tEnvoy proxy is ready",
		"[2024-01-01 00:00:00.000][15][info][main] starting main dispatch loop",
		"[not a time] something",
		"[2024-01-01T00:00:00Z]no space after bracket",
		"x2024-01-01T00:00:00Z] no opening bracket",
		`{"start_time":"2024-01-01T00:00:00.000Z"}`,
		"   ",
	}, "\n")
	entries, skipped, err := ParseAccessLog(strings.NewReader(in))
	if err != nil || len(entries) != 0 || skipped != 8 {
		t.Errorf("ParseAccessLog = %d entries, %d skipped, %v; want 0, 8, nil", len(entries), skipped, err)
	}
}

func TestParseAccessLogErrors(t *testing.T) {
	const good = `[2026-11-22T05:10:01.234Z] "GET /headers HTTP/1.1" 200 - via_upstream - "-" 0 1092 12 11 "-" "curl/8.16.0" "id" "h" "1.2.3.4:80" outbound|80||h 10.0.0.1:1 10.0.0.2:80 10.0.0.1:2 - default`
	if _, _, err := ParseAccessLog(strings.NewReader(good)); err != nil {
		t.Fatalf("baseline line does not parse: %v", err)
	}
	tests := []struct{ name, line, wantInMsg string }{
		{"too few fields", strings.TrimSuffix(good, " - default"), "fields"},
		{"too many fields", good + " extra", "fields"},
		{"bad response code", strings.Replace(good, "\" 200 -", "\" 2x0 -", 1), "response code"},
		{"response code out of range", strings.Replace(good, "\" 200 -", "\" 1000 -", 1), "response code"},
		{"negative bytes", strings.Replace(good, "\" 0 1092", "\" 0 -5", 1), "bytes sent"},
		{"duration overflow", strings.Replace(good, "1092 12 11", "1092 99999999999999999 11", 1), "duration"},
		{"unterminated quote", strings.Replace(good, `"curl/8.16.0"`, `"curl/8.16.0`, 1), ""},
		{"double space", strings.Replace(good, "200 -", "200  -", 1), "empty field"},
		{"trailing space", good + " ", "trailing space"},
		{"request without protocol", strings.Replace(good, "GET /headers HTTP/1.1", "GET /headers", 1), "METHOD PATH PROTOCOL"},
		{"quoted where bare expected", strings.Replace(good, "outbound|80||h", `"outbound|80||h"`, 1), "upstream cluster"},
		{"bare where quoted expected", strings.Replace(good, `"curl/8.16.0"`, `curl/8.16.0`, 1), "user-agent"},
		{"only timestamp", "[2026-11-22T05:10:01.234Z] ", "nothing after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := "2024-01-01T00:00:00.000000Z\tinfo\tskipped\n" + tt.line + "\n"
			entries, _, err := ParseAccessLog(strings.NewReader(in))
			if err == nil {
				t.Fatalf("ParseAccessLog(%q) = %+v, want error", tt.line, entries)
			}
			wantLineError(t, err, 2)
			if !strings.Contains(err.Error(), tt.wantInMsg) || !strings.Contains(err.Error(), "[2026-11-22T05:10:01.234Z]") {
				t.Errorf("error %q should mention %q and quote the line", err, tt.wantInMsg)
			}
		})
	}
}

func TestParseAccessLogLongLineErrorIsTruncated(t *testing.T) {
	line := `[2026-11-22T05:10:01.234Z] "GET /` + strings.Repeat("a", 10000) + ` HTTP/1.1" oops`
	_, _, err := ParseAccessLog(strings.NewReader(line))
	if err == nil {
		t.Fatal("want error")
	}
	if len(err.Error()) > 600 {
		t.Errorf("error is %d bytes long; the quoted line should be truncated", len(err.Error()))
	}
}
