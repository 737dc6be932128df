package kube

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/template"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/e2e-framework/klient/k8s"
	"sigs.k8s.io/e2e-framework/klient/k8s/resources"
	"sigs.k8s.io/e2e-framework/klient/wait"
	"sigs.k8s.io/yaml"
)

// CRDWait bounds how long Apply waits for a kind whose CustomResourceDefinition is in the same
// manifest to be served by the API server.
const CRDWait = time.Minute

// DeleteTimeout bounds Delete's wait for the objects to disappear (a shorter ctx deadline wins).
const DeleteTimeout = 2 * time.Minute

// Render runs manifest through text/template with data. A reference to a key the data does not
// have is an error (missingkey=error), as is a field a struct does not have.
func Render(manifest []byte, data any) ([]byte, error) {
	t, err := template.New("manifest").Option("missingkey=error").Parse(string(manifest))
	if err != nil {
		return nil, fmt.Errorf("the manifest is not a valid Go template: %v: fix the {{ }} expression", err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return nil, fmt.Errorf("rendering the manifest with data of type %T: %v: every {{ .Key }} in the manifest needs a value in the data", data, err)
	}
	return buf.Bytes(), nil
}

// Decode renders manifest (see Render), splits it into YAML documents, skips empty ones and
// expands `kind: List`, checks that each object has apiVersion, kind and metadata.name, and adds
// every label in labels (overriding a value the manifest gave the same key). Objects are kept
// unstructured, field for field: decoding into client-go's typed structs would silently drop
// fields those structs do not know, and server-side apply would then not set them.
// Namespaces are set later, by Apply, once the API server says which kinds are namespaced.
func Decode(manifest []byte, data any, labels map[string]string) ([]*unstructured.Unstructured, error) {
	rendered, err := Render(manifest, data)
	if err != nil {
		return nil, err
	}
	var out []*unstructured.Unstructured
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(rendered)))
	for doc := 1; ; doc++ {
		raw, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("splitting the rendered manifest at document %d: %v", doc, err)
		}
		js, err := yaml.YAMLToJSON(raw)
		if err != nil {
			return nil, fmt.Errorf("document %d of the rendered manifest is not valid YAML: %v\n%s", doc, err, excerpt(raw))
		}
		js = bytes.TrimSpace(js)
		if len(js) == 0 || string(js) == "null" {
			continue // empty or comment-only document
		}
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(js); err != nil {
			return nil, fmt.Errorf("document %d of the rendered manifest is not a Kubernetes object: %v\n%s", doc, err, excerpt(raw))
		}
		items := []*unstructured.Unstructured{obj}
		if obj.IsList() {
			list, err := obj.ToList()
			if err != nil {
				return nil, fmt.Errorf("document %d is a List whose items are not objects: %v", doc, err)
			}
			items = items[:0]
			for i := range list.Items {
				items = append(items, &list.Items[i])
			}
		}
		for _, it := range items {
			if it.GetAPIVersion() == "" || it.GetKind() == "" {
				return nil, fmt.Errorf("document %d has no apiVersion or kind\n%s", doc, excerpt(raw))
			}
			if it.GetName() == "" {
				return nil, fmt.Errorf("document %d (%s) has no metadata.name: server-side apply needs a fixed name (generateName is not supported)", doc, it.GetKind())
			}
			if len(labels) > 0 {
				l := it.GetLabels()
				if l == nil {
					l = map[string]string{}
				}
				for k, v := range labels {
					l[k] = v
				}
				it.SetLabels(l)
			}
			out = append(out, it)
		}
	}
	return out, nil
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// setNamespace gives a namespaced object without a namespace the default one.
func setNamespace(obj *unstructured.Unstructured, namespace string, namespaced bool) error {
	if !namespaced || obj.GetNamespace() != "" {
		return nil
	}
	if namespace == "" {
		return fmt.Errorf("%s %q is namespaced but has no metadata.namespace and no namespace was given to Apply", obj.GetKind(), obj.GetName())
	}
	obj.SetNamespace(namespace)
	return nil
}

// prepare is Decode plus namespacing with a given scope function: the whole pure part of Apply.
func prepare(manifest []byte, data any, namespace string, labels map[string]string, namespaced func(schema.GroupVersionKind) (bool, error)) ([]*unstructured.Unstructured, error) {
	objs, err := Decode(manifest, data, labels)
	if err != nil {
		return nil, err
	}
	for _, o := range objs {
		ns, err := namespaced(o.GroupVersionKind())
		if err != nil {
			return nil, err
		}
		if err := setNamespace(o, namespace, ns); err != nil {
			return nil, err
		}
	}
	return objs, nil
}

// crdKinds lists the kinds the manifest's own CustomResourceDefinitions define.
func crdKinds(objs []*unstructured.Unstructured) map[schema.GroupKind]bool {
	out := map[schema.GroupKind]bool{}
	for _, o := range objs {
		if o.GetKind() != "CustomResourceDefinition" || o.GroupVersionKind().Group != "apiextensions.k8s.io" {
			continue
		}
		group, _, _ := unstructured.NestedString(o.Object, "spec", "group")
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "names", "kind")
		if group != "" && kind != "" {
			out[schema.GroupKind{Group: group, Kind: kind}] = true
		}
	}
	return out
}

// Apply renders and decodes manifest (see Decode), gives namespaced objects without a namespace
// the namespace argument, adds labels, and creates or updates each object in order with
// server-side apply (field manager FieldManager, force: the suite owns what it applies). It
// returns the objects as the server stored them. A kind defined by a CRD earlier in the same
// manifest is waited for (up to CRDWait) until the API server serves it.
func (c *Client) Apply(ctx context.Context, namespace string, manifest []byte, data any, labels map[string]string) ([]*unstructured.Unstructured, error) {
	objs, err := Decode(manifest, data, labels)
	if err != nil {
		return nil, err
	}
	crds := crdKinds(objs)
	res := c.Klient.Resources()
	cr := res.GetControllerRuntimeClient()
	applied := make([]*unstructured.Unstructured, 0, len(objs))
	for i, o := range objs {
		what := fmt.Sprintf("%s %s (object %d of %d)", o.GetKind(), o.GetName(), i+1, len(objs))
		gk := o.GroupVersionKind().GroupKind()
		err := c.retryNoMatch(ctx, crds[gk], func() error {
			namespaced, err := cr.IsObjectNamespaced(o)
			if err != nil {
				return err
			}
			if err := setNamespace(o, namespace, namespaced); err != nil {
				return err
			}
			body, err := o.MarshalJSON()
			if err != nil {
				return err
			}
			return res.Patch(ctx, o, k8s.Patch{PatchType: types.ApplyPatchType, Data: body}, func(po *metav1.PatchOptions) {
				po.FieldManager = FieldManager
				force := true
				po.Force = &force
			})
		})
		if err != nil {
			if meta.IsNoMatchError(err) {
				return applied, fmt.Errorf("applying %s: the API server does not serve %s: install its CRDs first (Istio's come with istioctl install, Gateway API's with its release manifest): %v", what, o.GroupVersionKind(), err)
			}
			ns := ""
			if o.GetNamespace() != "" {
				ns = " in namespace " + o.GetNamespace()
			}
			return applied, fmt.Errorf("applying %s%s: %v", what, ns, err)
		}
		applied = append(applied, o)
	}
	return applied, nil
}

// retryNoMatch runs f; when wait is set and f fails because the kind is not served yet (its
// CRD was just created), it retries until CRDWait.
func (c *Client) retryNoMatch(ctx context.Context, waitForKind bool, f func() error) error {
	err := f()
	if err == nil || !waitForKind || !isNotServedYet(err) {
		return err
	}
	last := err
	werr := wait.For(func(ctx context.Context) (bool, error) {
		last = f()
		if last == nil {
			return true, nil
		}
		if isNotServedYet(last) {
			return false, nil
		}
		return false, last
	}, wait.WithContext(ctx), wait.WithTimeout(CRDWait), wait.WithInterval(c.poll()))
	if werr != nil && last != nil {
		return last
	}
	return werr
}

func isNotServedYet(err error) bool {
	return meta.IsNoMatchError(err) || apierrors.IsNotFound(err) || strings.Contains(err.Error(), "failed to get API group resources")
}

// Delete deletes objs in reverse order (background propagation), ignores objects that are gone
// or whose kind is no longer served, and waits until all of them are gone (at most
// DeleteTimeout, or ctx's deadline when sooner).
func (c *Client) Delete(ctx context.Context, objs []*unstructured.Unstructured) error {
	res := c.Klient.Resources()
	var errs []error
	var pending []*unstructured.Unstructured
	for i := len(objs) - 1; i >= 0; i-- {
		o := objs[i]
		if o == nil {
			continue
		}
		err := res.Delete(ctx, o.DeepCopy(), resources.WithDeletePropagation(string(metav1.DeletePropagationBackground)))
		switch {
		case err == nil:
			pending = append(pending, o)
		case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		default:
			errs = append(errs, fmt.Errorf("deleting %s: %v", describe(o), err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(pending) == 0 {
		return nil
	}
	var left []string
	err := wait.For(func(ctx context.Context) (bool, error) {
		left = left[:0]
		for _, o := range pending {
			cur := &unstructured.Unstructured{}
			cur.SetGroupVersionKind(o.GroupVersionKind())
			err := res.Get(ctx, o.GetName(), o.GetNamespace(), cur)
			switch {
			case apierrors.IsNotFound(err) || (err != nil && meta.IsNoMatchError(err)):
			case err != nil:
				left = append(left, fmt.Sprintf("%s (get failed: %v)", describe(o), err))
			default:
				s := describe(o)
				if f := cur.GetFinalizers(); len(f) > 0 {
					s += fmt.Sprintf(" (finalizers %v)", f)
				}
				left = append(left, s)
			}
		}
		return len(left) == 0, nil
	}, wait.WithContext(ctx), wait.WithTimeout(DeleteTimeout), wait.WithInterval(c.poll()), wait.WithImmediate())
	if err != nil {
		return fmt.Errorf("waiting for deleted objects to disappear: %v; still present: %s: look at their finalizers and at the controllers that own them (kubectl get -o yaml)", err, strings.Join(left, ", "))
	}
	return nil
}

func describe(o *unstructured.Unstructured) string {
	if o.GetNamespace() != "" {
		return fmt.Sprintf("%s %s/%s", o.GetKind(), o.GetNamespace(), o.GetName())
	}
	return fmt.Sprintf("%s %s", o.GetKind(), o.GetName())
}
