package istio

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	meshv1alpha1 "istio.io/api/mesh/v1alpha1"
	"sigs.k8s.io/yaml"

	"github.com/egressconformance/iec/harness/kube"
)

func parseOperator(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal(b, &m); err != nil {
		t.Fatalf("RenderOperator output is not YAML: %v\n%s", err, b)
	}
	return m
}

func dig(m any, path ...string) any {
	for _, p := range path {
		mm, ok := m.(map[string]any)
		if !ok {
			return nil
		}
		m = mm[p]
	}
	return m
}

func TestRenderOperatorFull(t *testing.T) {
	o := InstallOptions{
		Version:               "1.31.1",
		Hub:                   "registry.local:5000/istio",
		Tag:                   "1.31.1-distroless",
		Revision:              "canary",
		AccessLogFile:         "/dev/stdout",
		OutboundPolicy:        RegistryOnly,
		StatsInclusionRegexps: []string{UpstreamClusterStats, `cluster\.xds-grpc\..*`},
		EgressGateway:         true,
		GatewayAPIAlpha:       true,
	}
	b, err := RenderOperator(o)
	if err != nil {
		t.Fatal(err)
	}
	m := parseOperator(t, b)
	checks := map[string]struct {
		got, want any
	}{
		"apiVersion":   {m["apiVersion"], "install.istio.io/v1alpha1"},
		"kind":         {m["kind"], "IstioOperator"},
		"profile":      {dig(m, "spec", "profile"), "minimal"},
		"hub":          {dig(m, "spec", "hub"), o.Hub},
		"tag":          {dig(m, "spec", "tag"), o.Tag},
		"revision":     {dig(m, "spec", "revision"), "canary"},
		"name":         {dig(m, "metadata", "name"), "egress-conformance-canary"},
		"accessLog":    {dig(m, "spec", "meshConfig", "accessLogFile"), "/dev/stdout"},
		"policy":       {dig(m, "spec", "meshConfig", "outboundTrafficPolicy", "mode"), "REGISTRY_ONLY"},
		"alpha GW API": {dig(m, "spec", "values", "pilot", "env", "PILOT_ENABLE_ALPHA_GATEWAY_API"), "true"},
		"version note": {dig(m, "metadata", "annotations", "egress-conformance/istio-version"), "1.31.1"},
	}
	for name, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", name, c.got, c.want)
		}
	}
	res, _ := dig(m, "spec", "meshConfig", "defaultConfig", "proxyStatsMatcher", "inclusionRegexps").([]any)
	if len(res) != 2 || res[0] != `.*outbound\|[0-9]+\|\|.*` || res[1] != `cluster\.xds-grpc\..*` {
		t.Errorf("inclusionRegexps after a YAML round trip = %#v; the backslashes must survive", res)
	}
	gws, _ := dig(m, "spec", "components", "egressGateways").([]any)
	if len(gws) != 1 || !reflect.DeepEqual(gws[0], map[string]any{"name": "istio-egressgateway", "enabled": true}) {
		t.Errorf("egressGateways = %#v", gws)
	}

	// meshConfig is a valid MeshConfig, field names and enum values included (strict protojson).
	js, err := json.Marshal(dig(m, "spec", "meshConfig"))
	if err != nil {
		t.Fatal(err)
	}
	var mc meshv1alpha1.MeshConfig
	if err := protojson.Unmarshal(js, &mc); err != nil {
		t.Fatalf("meshConfig is not a valid istio.mesh.v1alpha1.MeshConfig: %v\n%s", err, js)
	}
	if mc.GetOutboundTrafficPolicy().GetMode() != meshv1alpha1.MeshConfig_OutboundTrafficPolicy_REGISTRY_ONLY {
		t.Errorf("parsed mode = %v", mc.GetOutboundTrafficPolicy().GetMode())
	}
	if got := mc.GetDefaultConfig().GetProxyStatsMatcher().GetInclusionRegexps(); !slices.Equal(got, o.StatsInclusionRegexps) {
		t.Errorf("parsed inclusionRegexps = %q", got)
	}
}

func TestRenderOperatorMinimalAndDefaults(t *testing.T) {
	b, err := RenderOperator(InstallOptions{})
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := parseOperator(t, b)["spec"].(map[string]any)
	demo := func(mem string) map[string]any {
		return map[string]any{"resources": map[string]any{"requests": map[string]any{"cpu": "10m", "memory": mem}}}
	}
	want := map[string]any{"profile": "minimal", "values": map[string]any{
		"global": map[string]any{"proxy": demo("40Mi")}, "pilot": demo("100Mi"),
		"gateways": map[string]any{"istio-egressgateway": demo("40Mi")}}}
	if !reflect.DeepEqual(spec, want) {
		t.Errorf("empty options render spec %#v, want only the profile and the demo profile's resource requests", spec)
	}
	b, err = RenderOperator(DefaultInstallOptions("1.30.2"))
	if err != nil {
		t.Fatal(err)
	}
	m := parseOperator(t, b)
	if dig(m, "spec", "meshConfig", "outboundTrafficPolicy", "mode") != string(AllowAny) ||
		dig(m, "spec", "meshConfig", "accessLogFile") != "/dev/stdout" ||
		dig(m, "spec", "components", "egressGateways") == nil ||
		dig(m, "spec", "hub") != nil || dig(m, "spec", "tag") != nil {
		t.Errorf("DefaultInstallOptions rendered %s", b)
	}
}

func TestRenderOperatorErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		o    InstallOptions
		want string
	}{
		{"policy", InstallOptions{OutboundPolicy: "DENY"}, `"DENY" is not ALLOW_ANY or REGISTRY_ONLY`},
		{"regexp", InstallOptions{StatsInclusionRegexps: []string{"(unclosed"}}, "does not compile"},
		{"set without =", InstallOptions{ExtraSet: []string{"values.x"}}, "not path=value"},
		{"set into a scalar", InstallOptions{ExtraSet: []string{"profile.x=1"}}, "profile is not a map"},
		{"index gap", InstallOptions{ExtraSet: []string{"components.ingressGateways[3].enabled=false"}}, "past the end"},
		{"bad index", InstallOptions{ExtraSet: []string{"a[x]=1"}}, "bad list index"},
	} {
		_, err := RenderOperator(c.o)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestRenderOperatorExtraSet(t *testing.T) {
	o := DefaultInstallOptions("1.31.1")
	o.GatewayAPIAlpha = true
	o.ExtraSet = []string{
		"values.global.proxy.includeIPRanges=10.96.0.0/12",
		`meshConfig.defaultConfig.proxyMetadata.ISTIO_META_DNS_CAPTURE="true"`,
		"values.pilot.env.PILOT_X=false",
		"components.egressGateways[0].k8s.replicaCount=2",
		"components.ingressGateways[0].enabled=false",
		`values.sidecarInjectorWebhook.injectedAnnotations.proxy\.istio\.io/config=x`,
		"meshConfig.defaultConfig.holdApplicationUntilProxyStarts=true",
	}
	b, err := RenderOperator(o)
	if err != nil {
		t.Fatal(err)
	}
	m := parseOperator(t, b)
	for name, c := range map[string]struct{ got, want any }{
		"includeIPRanges": {dig(m, "spec", "values", "global", "proxy", "includeIPRanges"), "10.96.0.0/12"},
		"quoted string":   {dig(m, "spec", "meshConfig", "defaultConfig", "proxyMetadata", "ISTIO_META_DNS_CAPTURE"), "true"},
		"bool":            {dig(m, "spec", "values", "pilot", "env", "PILOT_X"), false},
		"env kept":        {dig(m, "spec", "values", "pilot", "env", "PILOT_ENABLE_ALPHA_GATEWAY_API"), "true"},
		"escaped dot":     {dig(m, "spec", "values", "sidecarInjectorWebhook", "injectedAnnotations", "proxy.istio.io/config"), "x"},
		"stats kept":      {dig(m, "spec", "meshConfig", "defaultConfig", "proxyStatsMatcher", "inclusionRegexps"), []any{UpstreamClusterStats}},
		"hold":            {dig(m, "spec", "meshConfig", "defaultConfig", "holdApplicationUntilProxyStarts"), true},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", name, c.got, c.want)
		}
	}
	gw := dig(m, "spec", "components", "egressGateways").([]any)[0]
	if !reflect.DeepEqual(gw, map[string]any{"name": "istio-egressgateway", "enabled": true, "k8s": map[string]any{"replicaCount": float64(2)}}) {
		t.Errorf("egress gateway after [0] merge = %#v", gw)
	}
	ing := dig(m, "spec", "components", "ingressGateways").([]any)
	if !reflect.DeepEqual(ing, []any{map[string]any{"enabled": false}}) {
		t.Errorf("ingressGateways = %#v", ing)
	}
	// The whole meshConfig still validates.
	js, _ := json.Marshal(dig(m, "spec", "meshConfig"))
	if err := protojson.Unmarshal(js, &meshv1alpha1.MeshConfig{}); err != nil {
		t.Errorf("meshConfig with extra settings is invalid: %v", err)
	}
}

func TestInstallAndUninstall(t *testing.T) {
	ctx := context.Background()
	logDir := t.TempDir()
	t.Setenv("FAKE_ISTIOCTL_LOG", logDir)
	bin := writeScript(t, fakeIstioctl("1.31.1"))
	op, err := RenderOperator(DefaultInstallOptions("1.31.1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := Install(ctx, bin, "/tmp/kc", op, 3*time.Minute); err != nil {
		t.Fatalf("Install: %v", err)
	}
	args, _ := os.ReadFile(filepath.Join(logDir, "args"))
	for _, want := range []string{"install -y -f ", "--readiness-timeout 3m0s", "--kubeconfig /tmp/kc"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("istioctl args %q lack %q", args, want)
		}
	}
	if got, _ := os.ReadFile(filepath.Join(logDir, "operator.yaml")); string(got) != string(op) {
		t.Errorf("istioctl got operator file %q, want the rendered one", got)
	}
	if err := Uninstall(ctx, bin, "/tmp/kc"); err != nil {
		t.Fatalf("Uninstall: %v", err)
	}
	args, _ = os.ReadFile(filepath.Join(logDir, "args"))
	if strings.TrimSpace(string(args)) != "uninstall --purge -y --kubeconfig /tmp/kc --log_target stderr" {
		t.Errorf("uninstall args = %q", args)
	}

	t.Setenv("FAKE_ISTIOCTL_FAIL", "1")
	err = Install(ctx, bin, "/tmp/kc", op, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "resources not ready after 5m0s") {
		t.Fatalf("failing install: %v, want istioctl's output in the error", err)
	}
	if err := Install(ctx, filepath.Join(t.TempDir(), "nope"), "", op, time.Minute); err == nil || !strings.Contains(err.Error(), IstioctlEnv) {
		t.Fatalf("missing istioctl: %v", err)
	}
	if err := Install(ctx, bin, "", nil, time.Minute); err == nil {
		t.Fatal("empty operator accepted")
	}
}

func TestAdminGet(t *testing.T) {
	var got []string
	var gotContainer string
	a := Admin{exec: func(_ context.Context, ns, pod, container string, cmd []string) (kube.ExecResult, error) {
		got, gotContainer = cmd, container
		if cmd[3] == "bad" {
			return kube.ExecResult{Stderr: []byte("Error: 404 Not Found"), ExitCode: 1}, nil
		}
		if cmd[3] == "down" {
			return kube.ExecResult{}, errors.New("container not found")
		}
		return kube.ExecResult{Stdout: []byte("cluster.outbound|443||example.com.upstream_cx_total: 3\n")}, nil
	}}
	ctx := context.Background()
	b, err := a.Get(ctx, "egr", "curl-1", "/stats?filter=outbound")
	if err != nil || !strings.Contains(string(b), "upstream_cx_total: 3") {
		t.Fatalf("Get = %q, %v", b, err)
	}
	if !slices.Equal(got, []string{"pilot-agent", "request", "GET", "stats?filter=outbound"}) || gotContainer != "istio-proxy" {
		t.Fatalf("ran %q in %s", got, gotContainer)
	}
	if _, err := a.Get(ctx, "egr", "curl-1", "bad"); err == nil || !strings.Contains(err.Error(), "exited 1") || !strings.Contains(err.Error(), "404 Not Found") {
		t.Fatalf("failing admin call: %v", err)
	}
	if _, err := a.Get(ctx, "egr", "curl-1", "down"); err == nil || !strings.Contains(err.Error(), "container not found") {
		t.Fatalf("exec failure: %v", err)
	}
	if _, err := (Admin{}).Get(ctx, "egr", "curl-1", "stats"); err == nil || !strings.Contains(err.Error(), "Admin.Kube") {
		t.Fatalf("no client: %v", err)
	}
}

// An install for upstream Envoy switches Istio's own filters off in istiod and in telemetry,
// next to the suite's other istiod settings; without UpstreamEnvoy none of it is set.
func TestRenderOperatorUpstreamEnvoy(t *testing.T) {
	o := DefaultInstallOptions("1.31.0")
	o.GatewayAPIAlpha = true
	o.UpstreamEnvoy = true
	b, err := RenderOperator(o)
	if err != nil {
		t.Fatal(err)
	}
	m := parseOperator(t, b)
	env := dig(m, "spec", "values", "pilot", "env")
	want := map[string]any{"PILOT_ENABLE_ALPHA_GATEWAY_API": "true", "PILOT_ENABLE_ALPN_FILTER": "false", "PILOT_ENABLE_METADATA_EXCHANGE": "false"}
	if !reflect.DeepEqual(env, want) {
		t.Errorf("values.pilot.env = %v, want %v", env, want)
	}
	if got := dig(m, "spec", "values", "telemetry", "enabled"); got != false {
		t.Errorf("values.telemetry.enabled = %v, want false", got)
	}
	if got := UpstreamEnvoyFiltersOff(); got != "alpn, metadata exchange, stats" {
		t.Errorf("UpstreamEnvoyFiltersOff() = %q", got)
	}
	o.UpstreamEnvoy = false
	b, err = RenderOperator(o)
	if err != nil {
		t.Fatal(err)
	}
	m = parseOperator(t, b)
	if dig(m, "spec", "values", "telemetry") != nil || dig(m, "spec", "values", "pilot", "env", "PILOT_ENABLE_ALPN_FILTER") != nil {
		t.Errorf("Istio's proxy gets the default install, got values %v", dig(m, "spec", "values"))
	}
}
