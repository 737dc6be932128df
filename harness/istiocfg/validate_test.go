package istiocfg

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func obj(t *testing.T, y string) *unstructured.Unstructured {
	t.Helper()
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(y), &m); err != nil {
		t.Fatal(err)
	}
	return &unstructured.Unstructured{Object: m}
}

const goodVS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-ext}
spec:
  hosts: [httpbin.egress.test]
  http:
  - timeout: 3s
    route:
    - destination: {host: httpbin.egress.test}
      weight: 100
`

func TestValidAccepted(t *testing.T) {
	for _, y := range []string{goodVS,
		"apiVersion: networking.istio.io/v1beta1\nkind: ServiceEntry\nmetadata: {name: s}\nspec: {hosts: [a.test], ports: [{number: 443, name: tls, protocol: TLS}], resolution: DNS, location: MESH_EXTERNAL, exportTo: [\".\"]}\n",
		"apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default}\nspec: {egress: [{hosts: [\"*/*\"]}], outboundTrafficPolicy: {mode: REGISTRY_ONLY}}\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {anything: goes}\n",
	} {
		if err := Validate(obj(t, y)); err != nil {
			t.Errorf("valid object rejected: %v\n%s", err, y)
		}
	}
}

// Each broken manifest must be refused, with the reason in the message.
func TestBrokenRejected(t *testing.T) {
	for _, tc := range []struct{ name, yaml, want string }{
		{"misspelt field", strings.Replace(goodVS, "timeout: 3s", "timeOut: 3s", 1), "spec.http[0].timeOut"},
		{"bad duration", strings.Replace(goodVS, "timeout: 3s", "timeout: three", 1), "does not fit"},
		{"unknown enum", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec: {hosts: [a.test], resolution: MAGIC}\n", "does not fit"},
		{"wrong type", "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: s}\nspec: {hosts: a.test}\n", "does not fit"},
		{"unknown kind", "apiVersion: networking.istio.io/v1\nkind: EgressPolicy\nmetadata: {name: s}\nspec: {}\n", "not a kind"},
		{"v1 on an old group version", "apiVersion: networking.istio.io/v2\nkind: ServiceEntry\nmetadata: {name: s}\nspec: {}\n", "not a kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(obj(t, tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error with %q, got %v", tc.want, err)
			}
		})
	}
}
