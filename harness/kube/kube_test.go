package kube

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/util/exec"

	"github.com/egressconformance/iec/internal/testkit"
)

func TestRender(t *testing.T) {
	out, err := Render([]byte("name: {{ .Name }}\nport: {{ .Port }}\n"), map[string]any{"Name": "curl", "Port": 8080})
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != "name: curl\nport: 8080\n" {
		t.Fatalf("Render = %q", out)
	}
	// No template actions: data may be nil.
	if out, err := Render([]byte("kind: ConfigMap\n"), nil); err != nil || string(out) != "kind: ConfigMap\n" {
		t.Fatalf("Render(plain) = %q, %v", out, err)
	}
	for _, c := range []struct {
		name string
		tmpl string
		data any
		want []string
	}{
		{"missing map key", "a: {{ .Missing }}", map[string]any{"Name": "x"}, []string{"Missing", "needs a value"}},
		{"missing struct field", "a: {{ .Missing }}", struct{ Name string }{"x"}, []string{"Missing"}},
		{"nil data", "a: {{ .Name }}", nil, []string{"Name"}},
		{"bad syntax", "a: {{ .Name ", nil, []string{"not a valid Go template"}},
	} {
		_, err := Render([]byte(c.tmpl), c.data)
		testkit.ErrorMentions(t, c.name, err, c.want...)
	}
}

const manifest = `
# leading comment-only document
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Name }}-cm
  labels:
    app: {{ .Name }}
    egress-conformance/run: stale
data:
  k: v
---
---
apiVersion: v1
kind: Namespace
metadata:
  name: {{ .Name }}-ns
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: {{ .Name }}-se
  namespace: explicit
spec:
  hosts: ["example.egress.test"]
---
apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: sa-a
- apiVersion: v1
  kind: ServiceAccount
  metadata:
    name: sa-b
`

func TestDecodeAndPrepare(t *testing.T) {
	labels := map[string]string{"egress-conformance/run": "r1", "egress-conformance/scenario": "s1"}
	objs, err := Decode([]byte(manifest), map[string]string{"Name": "curl"}, labels)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.GetKind()+"/"+o.GetName())
	}
	want := "ConfigMap/curl-cm Namespace/curl-ns ServiceEntry/curl-se ServiceAccount/sa-a ServiceAccount/sa-b"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("decoded %s, want %s", got, want)
	}
	for _, o := range objs {
		for k, v := range labels {
			if o.GetLabels()[k] != v {
				t.Errorf("%s: label %s = %q, want %q", o.GetName(), k, o.GetLabels()[k], v)
			}
		}
	}
	if objs[0].GetLabels()["app"] != "curl" {
		t.Errorf("manifest label lost: %v", objs[0].GetLabels())
	}
	// Unknown fields survive (unstructured, not typed).
	if hosts, _, _ := unstructuredSlice(objs[2].Object, "spec", "hosts"); len(hosts) != 1 {
		t.Errorf("ServiceEntry spec lost: %v", objs[2].Object)
	}

	scope := func(gvk schema.GroupVersionKind) (bool, error) {
		return gvk.Kind != "Namespace", nil
	}
	objs, err = prepare([]byte(manifest), map[string]string{"Name": "curl"}, "egr-x", labels, scope)
	if err != nil {
		t.Fatal(err)
	}
	wantNS := map[string]string{"curl-cm": "egr-x", "curl-ns": "", "curl-se": "explicit", "sa-a": "egr-x", "sa-b": "egr-x"}
	for _, o := range objs {
		if o.GetNamespace() != wantNS[o.GetName()] {
			t.Errorf("%s: namespace %q, want %q", o.GetName(), o.GetNamespace(), wantNS[o.GetName()])
		}
	}
	// Namespaced object, no namespace anywhere.
	if _, err := prepare([]byte(manifest), map[string]string{"Name": "curl"}, "", nil, scope); err == nil || !strings.Contains(err.Error(), "no namespace was given") {
		t.Errorf("prepare without namespace: %v", err)
	}
	// Scope errors propagate.
	boom := errors.New("no such kind")
	if _, err := prepare([]byte(manifest), map[string]string{"Name": "curl"}, "x", nil, func(schema.GroupVersionKind) (bool, error) { return false, boom }); !errors.Is(err, boom) {
		t.Errorf("prepare with failing scope: %v", err)
	}
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	cur := any(obj)
	for _, f := range fields {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false, nil
		}
		cur = m[f]
	}
	s, ok := cur.([]any)
	return s, ok, nil
}

func TestDecodeErrors(t *testing.T) {
	for _, c := range []struct {
		name, doc string
		data      any
		want      string
	}{
		{"missing key", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Nope }}\n", map[string]string{}, "Nope"},
		{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  generateName: x-\n", nil, "no metadata.name"},
		{"no kind", "apiVersion: v1\nmetadata:\n  name: x\n", nil, "Object 'Kind' is missing"},
		{"not yaml", "a: [\n", nil, "not valid YAML"},
		{"not an object", "- a\n- b\n", nil, "not a Kubernetes object"},
	} {
		_, err := Decode([]byte(c.doc), c.data, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestCRDKinds(t *testing.T) {
	objs, err := Decode([]byte(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets}
`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := crdKinds(objs)
	if !got[schema.GroupKind{Group: "example.com", Kind: "Widget"}] || len(got) != 1 {
		t.Fatalf("crdKinds = %v", got)
	}
}

func TestContainerIn(t *testing.T) {
	always := corev1.ContainerRestartPolicyAlways
	classic := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "istio-init"}},
		Containers:     []corev1.Container{{Name: "curl"}, {Name: "istio-proxy"}},
	}}
	native := &corev1.Pod{Spec: corev1.PodSpec{
		InitContainers: []corev1.Container{{Name: "istio-init"}, {Name: "istio-proxy", RestartPolicy: &always}},
		Containers:     []corev1.Container{{Name: "curl"}},
	}}
	for _, c := range []struct {
		name          string
		pod           *corev1.Pod
		container     string
		found, native bool
	}{
		{"classic sidecar", classic, "istio-proxy", true, false},
		{"native sidecar", native, "istio-proxy", true, true},
		{"app container", native, "curl", true, false},
		{"plain init container", native, "istio-init", true, false},
		{"absent", classic, "nope", false, false},
		{"nil pod", nil, "curl", false, false},
	} {
		f, n := ContainerIn(c.pod, c.container)
		if f != c.found || n != c.native {
			t.Errorf("%s: ContainerIn = %v, %v; want %v, %v", c.name, f, n, c.found, c.native)
		}
	}
}

func TestExitCode(t *testing.T) {
	err := fmt.Errorf("stream: %w", exec.CodeExitError{Err: errors.New("command terminated with exit code 35"), Code: 35})
	if code, ok := exitCode(err); !ok || code != 35 {
		t.Fatalf("exitCode(CodeExitError 35) = %d, %v", code, ok)
	}
	if code, ok := exitCode(&exec.CodeExitError{Err: errors.New("x"), Code: 7}); !ok || code != 7 {
		t.Fatalf("exitCode(*CodeExitError 7) = %d, %v", code, ok)
	}
	if _, ok := exitCode(errors.New("error dialing backend: connection refused")); ok {
		t.Fatal("a transport error was taken for an exit code")
	}
}
