package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/istio"
	"github.com/egressconformance/iec/harness/kube"
	"github.com/egressconformance/iec/harness/parse"
	"github.com/egressconformance/iec/reports"
)

// captureFixtures refreshes the parser test data (harness/parse/testdata) from a live lab run
// (make capture-fixtures): the access-log lines every probe's sidecar and gateway wrote, read
// from the run's evidence (<artifacts>/scenarios/<scenario>/<probe>/attempt-1.json) with the
// /stats lines of the counters each probe read, and the egress gateway's own admin output
// (/server_info, its xDS update counters, /clusters) plus `istioctl proxy-status`, read from
// the run's cluster, which the run must have kept (EGRESS_CLUSTER_KEEP=true). Every file is headed by what produced it: the proxy the
// run judged (its "proxy" property, the gateway's /server_info) and the Istio build.
func captureFixtures(ctx context.Context, artifacts, outDir, istioctl string, out io.Writer) error {
	r, err := reports.LoadFile(filepath.Join(artifacts, "ginkgo-report.json"))
	if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
		return fmt.Errorf("reading the lab run's report (run make e2e-lab with EGRESS_CLUSTER_KEEP=true first): %w", pe)
	} else if err != nil {
		return err
	}
	if len(r.Suites) != 1 {
		return fmt.Errorf("%s: want one suite, found %d", artifacts, len(r.Suites))
	}
	su := r.Suites[0]
	proxy, tag, name := su.Property("proxy"), su.Property("istio-tag"), su.Property("cluster")
	if !strings.Contains(proxy, "Envoy") || name == "" {
		return fmt.Errorf("the run judged no live proxy (proxy=%q) or records no cluster: capture from a make e2e-lab run", proxy)
	}
	kubeconfig, done, err := fixtures.ClusterKubeconfig(name)
	if err != nil {
		return fmt.Errorf("the run's cluster %s (kept with EGRESS_CLUSTER_KEEP=true?): %w", name, err)
	}
	defer done()
	k, err := kube.New(kubeconfig)
	if err != nil {
		return err
	}
	admin := istio.Admin{Kube: k}
	gw := fixtures.DefaultGateway
	pods, err := k.Pods(ctx, gw.Namespace, gw.Pods)
	if err != nil || len(pods) == 0 {
		return fmt.Errorf("no egress gateway pod (%s in %s) in cluster %s: %v", gw.Pods, gw.Namespace, name, err)
	}
	pod := pods[0]
	get := func(path string) ([]byte, error) { return admin.Get(ctx, pod.Namespace, pod.Name, path) }
	raw, err := get("server_info")
	if err != nil {
		return err
	}
	info, err := parse.ParseServerInfo(raw) // the raw text is captured below, parsed here for the headers
	if err != nil {
		return err
	}
	ver := info.Release()
	header := func(what string) string {
		return fmt.Sprintf("# %s\n# Captured by `make capture-fixtures` on %s from a live lab run: %s (the gateway's /server_info: %s), Istio build %s.\n",
			what, time.Now().UTC().Format("2006-01-02"), proxy, info.Version, tag)
	}
	files := map[string][]byte{}
	sidecar, gateway, counters, err := evidenceLines(filepath.Join(artifacts, "scenarios"))
	if err != nil {
		return err
	}
	files["envoy-"+ver+"-sidecar-access.log"] = append([]byte(header("Sidecar access-log lines, each under the probe that wrote it (Istio's default text format).")), sidecar...)
	files["envoy-"+ver+"-gateway-access.log"] = append([]byte(header("Egress-gateway access-log lines, each under the probe that wrote it (Istio's default text format).")), gateway...)
	// server_info without "node" (the bootstrap's node: ~100 KB of metadata no test reads).
	var si map[string]json.RawMessage
	if err := json.Unmarshal(raw, &si); err != nil {
		return fmt.Errorf("server_info: %w", err)
	}
	delete(si, "node")
	if files["envoy-"+ver+"-server_info.json"], err = json.MarshalIndent(si, "", " "); err != nil {
		return err
	}
	stats, err := get("stats")
	if err != nil {
		return err
	}
	files["envoy-"+ver+"-stats.txt"] = append(append([]byte(header("Envoy /stats lines: the counters each probe read (after its request), then the egress gateway's xDS update counters after the run.")),
		counters...), keepLines(stats, ".update_")...)
	clusters, err := get("clusters")
	if err != nil {
		return err
	}
	files["envoy-"+ver+"-gateway-clusters.txt"] = append([]byte(header("The egress gateway's /clusters after the run: its outbound clusters (the scenarios' external hosts are gone with their config).")),
		keepLines(clusters, "outbound|")...)
	ps, err := istio.ProxyStatus(ctx, istioctl, kubeconfig)
	if err != nil {
		return err
	}
	files["istioctl-"+tag+"-proxy-status.txt"] = append([]byte(header("`istioctl proxy-status --verbosity 1` right after the run (its sessions' proxies are gone; the egress gateway stays).")), ps...)
	names := make([]string, 0, len(files))
	for f := range files {
		names = append(names, f)
	}
	sort.Strings(names)
	for _, f := range names {
		if err := os.WriteFile(filepath.Join(outDir, f), files[f], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s (%d bytes)\n", filepath.Join(outDir, f), len(files[f]))
	}
	return nil
}

// evidenceLines collects, from every probe's first attempt, the raw access-log lines of the
// sidecar and the gateway and the /stats lines of the counters it read, each group under a
// "# <scenario>/<probe>" comment, each line once.
func evidenceLines(dir string) (sidecar, gateway, counters []byte, err error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*", "*", "attempt-1.json"))
	if err != nil || len(paths) == 0 {
		return nil, nil, nil, fmt.Errorf("no probe evidence under %s (%v)", dir, err)
	}
	sort.Strings(paths)
	var sc, gw, ct bytes.Buffer
	seen := map[string]bool{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, nil, err
		}
		var o fixtures.Observation
		if err := json.Unmarshal(b, &o); err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", p, err)
		}
		probe := filepath.Base(filepath.Dir(p))
		scenario := filepath.Base(filepath.Dir(filepath.Dir(p)))
		group := func(buf *bytes.Buffer, lines []string) {
			wrote := false
			for _, l := range lines {
				if seen[l] {
					continue
				}
				seen[l] = true
				if !wrote {
					fmt.Fprintf(buf, "# %s/%s\n", scenario, probe)
					wrote = true
				}
				buf.WriteString(l + "\n")
			}
		}
		group(&sc, raws(o.SidecarLog))
		group(&gw, raws(o.GatewayLog))
		var keys []string
		for k := range o.Counters {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			group(&ct, o.Counters[k].Lines)
		}
	}
	return sc.Bytes(), gw.Bytes(), ct.Bytes(), nil
}

func raws(entries []parse.AccessLogEntry) []string {
	out := make([]string, len(entries))
	for i, e := range entries {
		out[i] = e.Raw
	}
	return out
}

// keepLines keeps the lines that contain any of subs (a capture holds what the tests read,
// not a whole proxy's thousands of stats).
func keepLines(b []byte, subs ...string) []byte {
	var out bytes.Buffer
	for _, l := range strings.SplitAfter(string(b), "\n") {
		for _, s := range subs {
			if strings.Contains(l, s) {
				out.WriteString(l)
				break
			}
		}
	}
	return out.Bytes()
}
