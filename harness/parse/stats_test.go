package parse

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestParseStatsTestdata(t *testing.T) {
	s, err := ParseStats(bytes.NewReader(readTestdata(t, "envoy-stats.txt")))
	if err != nil {
		t.Fatalf("ParseStats: %v", err)
	}
	want := map[string]uint64{
		// the line the retired egress-gateway troubleshooting doc expected
		"cluster.outbound|443||edition.cnn.com.upstream_cx_total": 2,
		"cluster.outbound|80||edition.cnn.com.upstream_rq_total":  4,
		"cluster_manager.active_clusters":                         31,
		"server.memory_allocated":                                 9321736,
		// tag-encoded Istio name containing ':' (spiffe://)
		"reporter=.=source;.;source_workload=.=curl;.;source_workload_namespace=.=default;.;" +
			"source_principal=.=spiffe://cluster.local/ns/default/sa/curl;.;destination_service=.=httpbin.egress.test;.;" +
			"destination_port=.=80;.;request_protocol=.=http;.;response_code=.=200;.;response_flags=.=-;.;istio_requests_total": 3,
	}
	for name, v := range want {
		got, ok := s.Value(name)
		if !ok || got != v {
			t.Errorf("Value(%q) = %d, %v; want %d, true", name, got, ok, v)
		}
	}
	for _, skipped := range []string{
		"control_plane.identifier",                                     // text readout
		"cluster.outbound|443||edition.cnn.com.upstream_cx_connect_ms", // histogram
		"server.initialization_time_ms",                                // histogram, no values
	} {
		if v, ok := s.Value(skipped); ok {
			t.Errorf("Value(%q) = %d, true; histograms and text readouts must be skipped", skipped, v)
		}
	}
	if len(s) != 24 {
		t.Errorf("parsed %d counters/gauges, want 24 (28 lines minus 1 text readout and 3 histograms)", len(s))
	}
	if _, ok := s.Value("cluster.outbound|443||nonexistent.upstream_cx_total"); ok {
		t.Error("Value of an absent stat reported ok")
	}
}

func TestParseStatsEdgeCases(t *testing.T) {
	in := strings.Join([]string{
		"",
		"a.b: 0",
		"name:with:colons: 18446744073709551615", // max uint64
		"custom_tag=.=a: b;.;metric: 9",          // a tag value with ": ": split on the last one
		"crlf.line: 7\r",
		"tr: \"contains: colon and \"quotes\"\"",
		"hist.detailed: B0.5(0,0) B1(0,0) B5(1,1)",
		"no.newline.at.end: 5",
	}, "\n")
	s, err := ParseStats(strings.NewReader(in))
	if err != nil {
		t.Fatalf("ParseStats: %v", err)
	}
	want := Stats{"a.b": 0, "name:with:colons": 18446744073709551615, "custom_tag=.=a: b;.;metric": 9,
		"crlf.line": 7, "no.newline.at.end": 5}
	if len(s) != len(want) {
		t.Errorf("got %v, want %v", s, want)
	}
	for k, v := range want {
		if s[k] != v {
			t.Errorf("s[%q] = %d, want %d", k, s[k], v)
		}
	}
}

func TestParseStatsErrors(t *testing.T) {
	testLineErrors(t, "ParseStats", func(r io.Reader) (any, error) { return ParseStats(r) }, []lineErrorCase{
		{"no separator", "ok: 1\ngarbage line\n", 2},
		{"negative", "gauge: -1\n", 1},
		{"float", "ok: 1\n\nx: 1.5\n", 3},
		{"overflow", "x: 18446744073709551616\n", 1},
		{"empty name", ": 4\n", 1},
		{"prometheus format", "# TYPE envoy_server_live gauge\nenvoy_server_live 1\n", 1},
		{"colon without space", "x:1\n", 1},
	})
}

func TestParseStatsNilReader(t *testing.T) {
	if _, err := ParseStats(nil); err == nil {
		t.Error("ParseStats(nil) returned no error")
	}
}
