package parse

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read testdata: %v", err)
	}
	return b
}

// Expectations come from the captured files (see testdata/README.md).
func TestParseCurlJSONCaptured(t *testing.T) {
	tests := []struct {
		file string
		want Curl
	}{
		{"curl-7.88-200.json", Curl{HTTPCode: 200, ExitCode: 0, TimeTotal: 1602 * time.Microsecond,
			TimeConnect: 358 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 18080, HTTPVersion: "1.1",
			Scheme: "http", URLEffective: "http://127.0.0.1:18080/get", NumConnects: 1}},
		{"curl-7.88-404.json", Curl{HTTPCode: 404, TimeTotal: 705 * time.Microsecond, TimeConnect: 227 * time.Microsecond,
			RemoteIP: "127.0.0.1", RemotePort: 18080, HTTPVersion: "1.1", Scheme: "http",
			URLEffective: "http://127.0.0.1:18080/status/404", NumConnects: 1}},
		{"curl-7.88-504.json", Curl{HTTPCode: 504, TimeTotal: 866 * time.Microsecond, TimeConnect: 567 * time.Microsecond,
			RemoteIP: "127.0.0.1", RemotePort: 18080, HTTPVersion: "1.1", Scheme: "http",
			URLEffective: "http://127.0.0.1:18080/status/504", NumConnects: 1}},
		{"curl-7.88-timeout.json", Curl{HTTPCode: 0, ExitCode: 28,
			ErrorMsg:  "Operation timed out after 1001 milliseconds with 0 bytes received",
			TimeTotal: 1001182 * time.Microsecond, TimeConnect: 417 * time.Microsecond, RemoteIP: "127.0.0.1",
			RemotePort: 18080, HTTPVersion: "0", Scheme: "http", URLEffective: "http://127.0.0.1:18080/delay/5",
			NumConnects: 1}},
		{"curl-7.88-refused.json", Curl{HTTPCode: 0, ExitCode: 7,
			ErrorMsg:  "Failed to connect to 127.0.0.1 port 18081 after 0 ms: Couldn't connect to server",
			TimeTotal: 292 * time.Microsecond, HTTPVersion: "0", Scheme: "", // curl prints "scheme":null
			URLEffective: "http://127.0.0.1:18081/get", NumConnects: 0}},
		{"curl-7.88-tls-untrusted.json", Curl{ExitCode: 60, ErrorMsg: "SSL certificate problem: self-signed certificate",
			TimeTotal: 28820 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 443, HTTPVersion: "0",
			Scheme: "https", URLEffective: "https://127.0.0.1/get", NumConnects: 1, SSLVerifyResult: 18}},
		{"curl-7.88-tls-wrong-version.json", Curl{ExitCode: 35,
			ErrorMsg:  "OpenSSL/3.0.19: error:0A00010B:SSL routines::wrong version number",
			TimeTotal: 37375 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 18080, HTTPVersion: "0",
			Scheme: "https", URLEffective: "https://127.0.0.1:18080/get", NumConnects: 1, SSLVerifyResult: 1}},
		{"curl-7.88-https-200.json", Curl{HTTPCode: 200, TimeTotal: 6945 * time.Microsecond,
			TimeConnect: 456 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 443, HTTPVersion: "2",
			Scheme: "https", URLEffective: "https://127.0.0.1/get", NumConnects: 1}},
		{"curl-7.88-via-proxy-connect.json", Curl{HTTPCode: 200, TimeTotal: 10911 * time.Microsecond,
			TimeConnect: 770 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 13128, HTTPVersion: "2",
			Scheme: "https", URLEffective: "https://127.0.0.1/get", NumConnects: 1}},
		{"curl-7.88-proxy-connect-denied.json", Curl{ExitCode: 56, ErrorMsg: "CONNECT tunnel failed, response 403",
			TimeTotal: 1847 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 13128, HTTPVersion: "0",
			Scheme: "https", URLEffective: "https://127.0.0.1:18443/get", NumConnects: 1}},
		// Body printed before the object (no -o): the body is itself a JSON object.
		{"curl-7.88-with-body.json", Curl{HTTPCode: 200, TimeTotal: 942 * time.Microsecond,
			TimeConnect: 607 * time.Microsecond, RemoteIP: "127.0.0.1", RemotePort: 18080, HTTPVersion: "1.1",
			Scheme: "http", URLEffective: "http://127.0.0.1:18080/get", NumConnects: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseCurlJSON(readTestdata(t, tt.file))
			if err != nil {
				t.Fatalf("ParseCurlJSON: %v", err)
			}
			if got != tt.want {
				t.Errorf("ParseCurlJSON =\n %+v\nwant\n %+v", got, tt.want)
			}
		})
	}
}

func TestParseCurlJSONSurroundingOutput(t *testing.T) {
	obj := `{"http_code":503,"exitcode":0,"scheme":"HTTP","num_redirects":2}`
	tests := []struct {
		name, in string
		want     int
	}{
		{"trailing newline", obj + "\n", 503},
		{"body with nested objects before", `{"a":{"b":{"http_code":1}}}` + "\n" + obj, 503},
		{"unbalanced brace in body before", "<style>p { color: red</style>\n" + obj, 503},
		{"truncated JSON body before", `{"headers": {"Accept": ["*/*"]` + obj, 503},
		{"text after", obj + "\ncommand terminated with exit code 0\n", 503},
		{"two objects, last wins", `{"http_code":200}` + obj, 503},
		{"stray closing brace after", obj + "}}", 503},
		{"braces and escaped quotes in a value", `{"errormsg":"a \"}\" {b\\","http_code":503,"scheme":"HTTP","num_redirects":2}`, 503},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCurlJSON([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParseCurlJSON(%q): %v", tt.in, err)
			}
			if got.HTTPCode != tt.want || got.NumRedirects != 2 || got.Scheme != "http" {
				t.Errorf("ParseCurlJSON(%q) = %+v, want http_code %d, num_redirects 2, scheme http", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseCurlJSONErrors(t *testing.T) {
	tests := []struct {
		name, in, wantInMsg string
	}{
		{"empty", "", "no JSON object"},
		{"plain text", "curl: (7) Failed to connect", "Failed to connect"},
		{"missing http_code", `{"exitcode":7}`, `no "http_code"`},
		{"null http_code", `{"http_code":null}`, `no "http_code"`},
		{"http_code as string", `{"http_code":"200"}`, "cannot unmarshal string"},
		{"http_code fractional", `{"http_code":200.5}`, "200.5"},
		{"negative time", `{"http_code":200,"time_total":-1}`, "time_total"},
		{"huge time", `{"http_code":200,"time_total":1e300}`, "time_total"},
		{"last object lacks http_code", `{"http_code":200}{"other":1}`, `no "http_code"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseCurlJSON([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParseCurlJSON(%q) = %+v, want error", tt.in, got)
			}
			if !strings.Contains(err.Error(), tt.wantInMsg) {
				t.Errorf("error %q does not mention %q", err, tt.wantInMsg)
			}
		})
	}
}

// Deeply nested, never-closed JSON before the object must not make the search
// quadratic (a left-to-right "try every '{'" search took ~7 s on 100 KB of this).
func TestParseCurlJSONPathologicalPrefixIsFast(t *testing.T) {
	in := strings.Repeat(`{"a":[`, 40000) + `{"http_code":204}`
	start := time.Now()
	c, err := ParseCurlJSON([]byte(in))
	if err != nil || c.HTTPCode != 204 {
		t.Fatalf("ParseCurlJSON = %+v, %v; want http_code 204", c, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %v on %d bytes", d, len(in))
	}
}

func TestParseCurlJSONTooManyTrailingBraces(t *testing.T) {
	in := `{"http_code":200}` + strings.Repeat("}", maxCandidates)
	if c, err := ParseCurlJSON([]byte(in)); err == nil {
		t.Errorf("ParseCurlJSON = %+v; want an error past maxCandidates trailing braces", c)
	}
	in = `{"http_code":200}` + strings.Repeat("}", maxCandidates-1)
	if c, err := ParseCurlJSON([]byte(in)); err != nil || c.HTTPCode != 200 {
		t.Errorf("ParseCurlJSON = %+v, %v; want 200 with %d trailing braces", c, err, maxCandidates-1)
	}
}

func TestParseCurlJSONErrorQuoteIsBounded(t *testing.T) {
	in := `{"exitcode":7,"pad":"` + strings.Repeat("x", 5000) + `"}`
	_, err := ParseCurlJSON([]byte(in))
	if err == nil {
		t.Fatal("want error for missing http_code")
	}
	if len(err.Error()) > 400 {
		t.Errorf("error message is %d bytes; the quoted input should be truncated", len(err.Error()))
	}
}
