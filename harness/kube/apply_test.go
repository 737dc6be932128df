package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"k8s.io/client-go/rest"
)

// fakeAPI is the smallest API server that Apply and Delete need: legacy discovery for core/v1
// and apps/v1, server-side apply PATCH (stores the body) and GET/DELETE of stored objects.
type fakeAPI struct {
	mu       sync.Mutex
	widgets  bool              // the Widget CRD was applied: serve example.com/v1 from now on
	objects  map[string][]byte // path -> object JSON
	requests []string          // "METHOD path?query"
	applies  []applyCall
}

type applyCall struct {
	path, contentType, fieldManager, force string
	body                                   map[string]any
}

var discovery = map[string]string{
	"/api":  `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}`,
	"/apis": `{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},{"name":"apiextensions.k8s.io","versions":[{"groupVersion":"apiextensions.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apiextensions.k8s.io/v1","version":"v1"}}]}`,
	"/apis/apiextensions.k8s.io/v1": `{"kind":"APIResourceList","groupVersion":"apiextensions.k8s.io/v1","resources":[
		{"name":"customresourcedefinitions","singularName":"customresourcedefinition","namespaced":false,"kind":"CustomResourceDefinition","verbs":["create","delete","get","list","patch","update","watch"]}]}`,
	"/api/v1": `{"kind":"APIResourceList","groupVersion":"v1","resources":[
		{"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap","verbs":["create","delete","get","list","patch","update","watch"]},
		{"name":"namespaces","singularName":"namespace","namespaced":false,"kind":"Namespace","verbs":["create","delete","get","list","patch","update","watch"]}]}`,
	"/apis/apps/v1": `{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
		{"name":"deployments","singularName":"deployment","namespaced":true,"kind":"Deployment","verbs":["create","delete","get","list","patch","update","watch"]}]}`,
}

func notFound(w http.ResponseWriter, what string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusNotFound)
	fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"%s not found","reason":"NotFound","code":404}`, what)
}

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	if f.widgets && r.Method == http.MethodGet {
		switch r.URL.Path {
		case "/apis":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"kind":"APIGroupList","apiVersion":"v1","groups":[{"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},{"name":"apiextensions.k8s.io","versions":[{"groupVersion":"apiextensions.k8s.io/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apiextensions.k8s.io/v1","version":"v1"}},{"name":"example.com","versions":[{"groupVersion":"example.com/v1","version":"v1"}],"preferredVersion":{"groupVersion":"example.com/v1","version":"v1"}}]}`)
			return
		case "/apis/example.com/v1":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"kind":"APIResourceList","groupVersion":"example.com/v1","resources":[{"name":"widgets","singularName":"widget","namespaced":true,"kind":"Widget","verbs":["create","delete","get","list","patch","update","watch"]}]}`)
			return
		}
	}
	if d, ok := discovery[r.URL.Path]; ok && r.Method == http.MethodGet {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, d)
		return
	}
	switch r.Method {
	case http.MethodPatch:
		body, _ := io.ReadAll(r.Body)
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.applies = append(f.applies, applyCall{
			path: r.URL.Path, contentType: r.Header.Get("Content-Type"),
			fieldManager: r.URL.Query().Get("fieldManager"), force: r.URL.Query().Get("force"), body: m,
		})
		m["metadata"].(map[string]any)["resourceVersion"] = "1"
		out, _ := json.Marshal(m)
		f.objects[r.URL.Path] = out
		if strings.HasSuffix(r.URL.Path, "/customresourcedefinitions/widgets.example.com") {
			// "Established" a little later, as a real API server does.
			time.AfterFunc(300*time.Millisecond, func() { f.mu.Lock(); f.widgets = true; f.mu.Unlock() })
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
	case http.MethodGet:
		if b, ok := f.objects[r.URL.Path]; ok {
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
			return
		}
		notFound(w, r.URL.Path)
	case http.MethodDelete:
		if _, ok := f.objects[r.URL.Path]; !ok {
			notFound(w, r.URL.Path)
			return
		}
		delete(f.objects, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}`)
	default:
		notFound(w, r.URL.Path)
	}
}

// newFakeAPIClient starts a fakeAPI and returns it with a Client that polls it every poll, and
// a context that bounds the test; all end with the test.
func newFakeAPIClient(t *testing.T, poll time.Duration) (*fakeAPI, *Client, context.Context) {
	t.Helper()
	api := &fakeAPI{objects: map[string][]byte{}}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c, err := NewFromRest(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c.PollInterval = poll
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return api, c, ctx
}

func TestApplyAndDeleteAgainstFakeAPIServer(t *testing.T) {
	api, c, ctx := newFakeAPIClient(t, 10*time.Millisecond)

	const m = `apiVersion: v1
kind: Namespace
metadata:
  name: {{ .NS }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
data: {k: v}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: curl
  namespace: other
spec:
  futureField: kept
`
	objs, err := c.Apply(ctx, "egr-1", []byte(m), map[string]string{"NS": "egr-1"}, map[string]string{"egress-conformance/run": "r1"})
	if err != nil {
		t.Fatalf("Apply: %v", err)
	}
	api.mu.Lock()
	applies := slices.Clone(api.applies)
	api.requests = nil
	api.mu.Unlock()
	wantPaths := []string{"/api/v1/namespaces/egr-1", "/api/v1/namespaces/egr-1/configmaps/cm", "/apis/apps/v1/namespaces/other/deployments/curl"}
	var got []string
	for _, a := range applies {
		got = append(got, a.path)
		if a.contentType != "application/apply-patch+yaml" || a.fieldManager != FieldManager || a.force != "true" {
			t.Errorf("%s: content type %q, fieldManager %q, force %q; want server-side apply by %s with force", a.path, a.contentType, a.fieldManager, a.force, FieldManager)
		}
		labels, _ := a.body["metadata"].(map[string]any)["labels"].(map[string]any)
		if labels["egress-conformance/run"] != "r1" {
			t.Errorf("%s: labels %v lack the run label", a.path, labels)
		}
	}
	if !slices.Equal(got, wantPaths) {
		t.Fatalf("applied %v, want %v", got, wantPaths)
	}
	if spec := applies[2].body["spec"].(map[string]any); spec["futureField"] != "kept" {
		t.Errorf("a field client-go does not know was dropped: %v", spec)
	}
	if len(objs) != 3 || objs[1].GetNamespace() != "egr-1" || objs[1].GetResourceVersion() != "1" {
		t.Fatalf("returned objects do not reflect the server: %v", objs)
	}

	if err := c.Delete(ctx, objs); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	api.mu.Lock()
	requests, left := slices.Clone(api.requests), len(api.objects)
	api.mu.Unlock()
	var deletes []string
	for _, r := range requests {
		if strings.HasPrefix(r, "DELETE ") {
			deletes = append(deletes, strings.TrimPrefix(r, "DELETE "))
		}
	}
	rev := slices.Clone(wantPaths)
	slices.Reverse(rev)
	if !slices.Equal(deletes, rev) {
		t.Fatalf("deleted %v, want reverse order %v", deletes, rev)
	}
	if left != 0 {
		t.Fatalf("%d objects left", left)
	}
	// Deleting again: everything is NotFound, which is fine.
	if err := c.Delete(ctx, objs); err != nil {
		t.Fatalf("second Delete: %v", err)
	}

	// A kind the server does not serve, and that the manifest does not define: fails fast.
	start := time.Now()
	_, err = c.Apply(ctx, "egr-1", []byte("apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata:\n  name: se\n"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "ServiceEntry se") {
		t.Fatalf("Apply of an unserved kind = %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("unserved kind took %s to fail", time.Since(start))
	}
	t.Logf("unserved kind: %v", err)
}

func TestApplyWaitsForCRDInSameManifest(t *testing.T) {
	api, c, ctx := newFakeAPIClient(t, 50*time.Millisecond)
	const m = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {kind: Widget, plural: widgets}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
`
	objs, err := c.Apply(ctx, "egr-1", []byte(m), nil, nil)
	if err != nil {
		t.Fatalf("Apply of a CRD and its first object: %v", err)
	}
	if len(objs) != 2 || objs[1].GetNamespace() != "egr-1" {
		t.Fatalf("objects = %v", objs)
	}
	api.mu.Lock()
	defer api.mu.Unlock()
	if api.applies[1].path != "/apis/example.com/v1/namespaces/egr-1/widgets/w" {
		t.Fatalf("widget applied at %s", api.applies[1].path)
	}
}
