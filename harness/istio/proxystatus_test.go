package istio

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/egressconformance/iec/harness/parse"
)

// istioctl logs to stdout unless told otherwise, and a live `proxy-status` once printed
// client-go's port-forward line there, before the table: the data-plane gate then failed on
// the table's first line. The stand-in prints that very line (from the failed run) to
// whichever stream istioctl would, and ProxyStatus must return only the table.
func TestProxyStatusOutputHoldsNoLogLines(t *testing.T) {
	const logLine = "2026-12-04T21:46:52.388997Z\terror\tklog\terror copying from local connection to remote stream: EOF: Unhandled Error\tlogger=UnhandledError"
	const table = "NAME                                                 CLUSTER        CDS              ECDS        EDS              LDS              RDS              SDS                ISTIOD                      VERSION\n" +
		"istio-egressgateway-585c7555c-wqmtx.istio-system     Kubernetes     SYNCED (55s)     IGNORED     SYNCED (44s)     SYNCED (55s)     SYNCED (58s)     SYNCED (2m15s)     istiod-79678b544d-p4zz5     1.31.0-dev.b01690e6db7d\n"
	bin := filepath.Join(t.TempDir(), "istioctl")
	script := "#!/bin/sh\ncase \"$*\" in\n*\"--log_target stderr\"*) printf '%s\\n' \"$LOGLINE\" >&2 ;;\n*) printf '%s\\n' \"$LOGLINE\" ;;\nesac\nprintf '%s' \"$TABLE\"\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("LOGLINE", logLine)
	t.Setenv("TABLE", table)
	out, err := ProxyStatus(context.Background(), bin, "")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(out), "klog") {
		t.Fatalf("istioctl's log line is in the output the gate parses:\n%s", out)
	}
	rows, _, err := parse.ParseProxyStatus(bytes.NewReader(out))
	if err != nil || len(rows) != 1 || rows[0].Name != "istio-egressgateway-585c7555c-wqmtx.istio-system" {
		t.Errorf("parsed %+v, %v", rows, err)
	}
}
