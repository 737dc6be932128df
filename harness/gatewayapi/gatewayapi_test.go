package gatewayapi

import (
	"context"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestCRDsFromThePinnedModule(t *testing.T) {
	b, err := CRDs(context.Background(), ".", "experimental")
	if err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{"kind: CustomResourceDefinition", "name: tlsroutes.gateway.networking.k8s.io", "name: httproutes.gateway.networking.k8s.io", "name: gateways.gateway.networking.k8s.io"} {
		if !strings.Contains(string(b), kind) {
			t.Errorf("the experimental CRDs lack %q", kind)
		}
	}
	if _, err := CRDs(context.Background(), ".", "nightly"); err == nil {
		t.Error("an unknown channel must be refused")
	}
}

func obj(t *testing.T, y string) *unstructured.Unstructured {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

func TestValidate(t *testing.T) {
	good := "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: r}\nspec:\n  parentRefs: [{kind: ServiceEntry, group: networking.istio.io, name: httpbin-ext}]\n  hostnames: [httpbin.egress.test]\n  rules: [{timeouts: {request: 3s}, backendRefs: [{kind: Hostname, group: networking.istio.io, name: httpbin.egress.test, port: 80}]}]\n"
	if err := Validate(obj(t, good)); err != nil {
		t.Fatalf("valid route rejected: %v", err)
	}
	if err := Validate(obj(t, strings.Replace(good, "timeouts:", "timeout:", 1))); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Fatalf("a misspelt field must be refused, got %v", err)
	}
	if err := Validate(obj(t, strings.Replace(good, "port: 80", "port: eighty", 1))); err == nil {
		t.Fatal("a wrong type must be refused")
	}
	if err := Validate(obj(t, "apiVersion: gateway.networking.k8s.io/v1\nkind: EgressRoute\nmetadata: {name: x}\n")); err == nil {
		t.Fatal("an unknown kind must be refused")
	}
	if err := Validate(obj(t, "apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")); err != nil {
		t.Fatal(err)
	}
}
