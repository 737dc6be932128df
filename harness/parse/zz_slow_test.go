package parse

import (
	"strings"
	"testing"
	"time"
)

func TestSlowProbe(t *testing.T) {
	for _, n := range []int{1000, 5000, 20000} {
		in := []byte(strings.Repeat(`{"a":`, n))
		st := time.Now()
		ParseCurlJSON(in)
		t.Logf("nested n=%d len=%d: %v", n, len(in), time.Since(st))
		in = []byte(strings.Repeat(`{`, n*5))
		st = time.Now()
		ParseCurlJSON(in)
		t.Logf("braces len=%d: %v", len(in), time.Since(st))
		in = []byte(strings.Repeat(`{"a":[`, n))
		st = time.Now()
		ParseCurlJSON(in)
		t.Logf("nested arrays len=%d: %v", len(in), time.Since(st))
	}
}
