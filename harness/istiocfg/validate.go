// Package istiocfg checks Istio networking objects against Istio's own API types
// (istio.io/client-go) before they go anywhere near a cluster: a misspelt field, a wrong
// type or an unknown enum value in a scenario manifest fails `make test`, not a run.
package istiocfg

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"

	networkingv1 "istio.io/client-go/pkg/apis/networking/v1"
	networkingv1alpha3 "istio.io/client-go/pkg/apis/networking/v1alpha3"
	networkingv1beta1 "istio.io/client-go/pkg/apis/networking/v1beta1"
)

// Group is Istio's networking API group.
const Group = "networking.istio.io"

var scheme = runtime.NewScheme()

func init() {
	for _, add := range []func(*runtime.Scheme) error{networkingv1.AddToScheme, networkingv1beta1.AddToScheme, networkingv1alpha3.AddToScheme} {
		if err := add(scheme); err != nil {
			panic(err)
		}
	}
}

// Validate decodes an Istio networking object into its typed form and back. It fails when
// the kind or version is unknown to Istio's API, when a value does not fit its field (wrong
// type, unknown enum value, malformed duration), or when a field set in the manifest is not
// part of the type (Istio's decoder ignores unknown fields; this check does not). Objects of
// other API groups pass untouched.
func Validate(obj *unstructured.Unstructured) error {
	gvk := obj.GroupVersionKind()
	if gvk.Group != Group {
		return nil
	}
	what := fmt.Sprintf("%s %s/%s", gvk.Kind, gvk.Version, obj.GetName())
	typed, err := scheme.New(gvk)
	if err != nil {
		return fmt.Errorf("%s: %s is not a kind of %s in Istio's API (%v)", what, gvk.Kind, gvk.GroupVersion(), err)
	}
	raw, err := json.Marshal(obj.Object)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if err := json.Unmarshal(raw, typed); err != nil {
		return fmt.Errorf("%s does not fit Istio's %s type: %v", what, gvk.Kind, err)
	}
	// Re-encode the spec with every field present (enum zero values such as MESH_EXTERNAL
	// or REGISTRY_ONLY included), so a field missing after the round trip is truly unknown.
	spec := reflect.ValueOf(typed).Elem().FieldByName("Spec")
	msg, ok := spec.Addr().Interface().(proto.Message)
	if !ok {
		return fmt.Errorf("%s: Istio's %s spec is not a protobuf message", what, gvk.Kind)
	}
	back, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(msg)
	if err != nil {
		return fmt.Errorf("%s: re-encoding: %w", what, err)
	}
	var specBack any
	if err := json.Unmarshal(back, &specBack); err != nil {
		return fmt.Errorf("%s: re-decoding: %w", what, err)
	}
	roundTrip := map[string]any{"spec": specBack}
	orig := map[string]any{}
	if spec, ok := obj.Object["spec"]; ok {
		orig = map[string]any{"spec": spec}
	}
	var lost []string
	missing("", orig, roundTrip, &lost)
	if len(lost) > 0 {
		sort.Strings(lost)
		return fmt.Errorf("%s: field(s) %s are not part of Istio's %s %s: check the spelling against the Istio reference", what, strings.Join(lost, ", "), gvk.Kind, gvk.Version)
	}
	return nil
}

// missing collects paths that hold a non-zero value in a but are absent in b.
func missing(path string, a, b any, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, _ := b.(map[string]any)
		for k, v := range av {
			p := k
			if path != "" {
				p = path + "." + k
			}
			bb, ok := bv[k]
			if !ok {
				if !zero(v) {
					*out = append(*out, p)
				}
				continue
			}
			missing(p, v, bb, out)
		}
	case []any:
		bv, _ := b.([]any)
		for i, v := range av {
			if i < len(bv) {
				missing(fmt.Sprintf("%s[%d]", path, i), v, bv[i], out)
			} else if !zero(v) {
				*out = append(*out, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
}

func zero(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case float64:
		return t == 0
	case int64:
		return t == 0
	case string:
		return t == ""
	case map[string]any:
		for _, x := range t {
			if !zero(x) {
				return false
			}
		}
		return true
	case []any:
		return len(t) == 0
	}
	return false
}
