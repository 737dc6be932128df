package kube

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/client-go/rest"
)

func TestListHelpersOnFakeClientset(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ev := func(name string, at time.Time, how string) *corev1.Event {
		e := &corev1.Event{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns-a"}}
		switch how {
		case "event":
			e.EventTime = metav1.NewMicroTime(at)
		case "last":
			e.LastTimestamp = metav1.NewTime(at)
		default:
			e.CreationTimestamp = metav1.NewTime(at)
		}
		return e
	}
	cs := fake.NewClientset(
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns-b", Labels: map[string]string{"s": "x"}}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ns-a", Labels: map[string]string{"s": "x"}}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "other", Labels: map[string]string{"s": "y"}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "zz", Namespace: "ns-a", Labels: map[string]string{"app": "c"}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "aa", Namespace: "ns-a", Labels: map[string]string{"app": "c"}}},
		&corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "gw", Namespace: "ns-a", Labels: map[string]string{"app": "g"}}},
		ev("third", t0.Add(3*time.Second), "created"),
		ev("first", t0.Add(time.Second), "event"),
		ev("second", t0.Add(2*time.Second), "last"),
	)
	c := &Client{Clientset: cs}

	ns, err := c.NamespacesMatching(ctx, "s=x")
	if err != nil || strings.Join(ns, ",") != "ns-a,ns-b" {
		t.Fatalf("NamespacesMatching = %v, %v; want [ns-a ns-b]", ns, err)
	}
	pods, err := c.Pods(ctx, "ns-a", "app=c")
	if err != nil || len(pods) != 2 || pods[0].Name != "aa" || pods[1].Name != "zz" {
		t.Fatalf("Pods = %v, %v; want aa, zz", pods, err)
	}
	evs, err := c.Events(ctx, "ns-a")
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, e := range evs {
		order = append(order, e.Name)
	}
	if strings.Join(order, ",") != "first,second,third" {
		t.Fatalf("Events order %v, want first,second,third", order)
	}
	// The fake API server answers every log request with "fake logs".
	tail, dropped, err := c.LogsTail(ctx, "ns-a", "aa", "curl", false, 4)
	if err != nil || string(tail) != "logs" || dropped != 5 {
		t.Fatalf("LogsTail(max 4) = %q, dropped %d, %v; want \"logs\", 5", tail, dropped, err)
	}
	tail, dropped, err = c.LogsTail(ctx, "ns-a", "aa", "curl", true, 0)
	if err != nil || string(tail) != "fake logs" || dropped != 0 {
		t.Fatalf("LogsTail(all) = %q, dropped %d, %v", tail, dropped, err)
	}
}

func TestReadTailKeepsTheEnd(t *testing.T) {
	var src bytes.Buffer
	for i := 0; i < 50000; i++ {
		src.WriteString("line ")
		src.WriteString(strings.Repeat("x", i%7))
		src.WriteString("\n")
	}
	all := src.Bytes()
	for _, max := range []int64{1, 100, 70000, int64(len(all)), int64(len(all)) + 1, 0} {
		// One byte at a time and in big reads: the kept tail must not depend on read sizes.
		for _, r := range []io.Reader{iotest.OneByteReader(bytes.NewReader(all)), bytes.NewReader(all)} {
			tail, dropped, err := readTail(r, max)
			if err != nil {
				t.Fatal(err)
			}
			want := all
			if max > 0 && int64(len(all)) > max {
				want = all[int64(len(all))-max:]
			}
			if !bytes.Equal(tail, want) || dropped != int64(len(all)-len(want)) {
				t.Fatalf("max %d: kept %d bytes (dropped %d), want the last %d", max, len(tail), dropped, len(want))
			}
		}
	}
	boom := errors.New("connection reset")
	tail, dropped, err := readTail(io.MultiReader(strings.NewReader("abcdef"), iotest.ErrReader(boom)), 3)
	if !errors.Is(err, boom) || string(tail) != "def" || dropped != 3 {
		t.Fatalf("read error: %q, %d, %v", tail, dropped, err)
	}
}

// apiServer is the smallest API server ListKind needs: discovery (core v1 and
// networking.istio.io v1, preferred, and v1beta1) and two lists in namespace ns1.
func apiServer(t *testing.T, seen *[]string) *httptest.Server {
	resources := func(gv string, rs ...[2]string) string {
		var items []string
		for _, r := range rs {
			items = append(items, fmt.Sprintf(`{"name":%q,"singularName":"","namespaced":true,"kind":%q,"verbs":["get","list"]}`, r[0], r[1]))
		}
		return fmt.Sprintf(`{"kind":"APIResourceList","apiVersion":"v1","groupVersion":%q,"resources":[%s]}`, gv, strings.Join(items, ","))
	}
	istioGroup := `{"name":"networking.istio.io","versions":[{"groupVersion":"networking.istio.io/v1","version":"v1"},{"groupVersion":"networking.istio.io/v1beta1","version":"v1beta1"}],"preferredVersion":{"groupVersion":"networking.istio.io/v1","version":"v1"}}`
	routes := map[string]string{
		"/api":                              `{"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1"}]}`,
		"/apis":                             `{"kind":"APIGroupList","apiVersion":"v1","groups":[` + istioGroup + `]}`,
		"/apis/networking.istio.io":         `{"kind":"APIGroup","apiVersion":"v1",` + istioGroup[1:],
		"/api/v1":                           resources("v1", [2]string{"pods", "Pod"}),
		"/apis/networking.istio.io/v1":      resources("networking.istio.io/v1", [2]string{"serviceentries", "ServiceEntry"}),
		"/apis/networking.istio.io/v1beta1": resources("networking.istio.io/v1beta1", [2]string{"serviceentries", "ServiceEntry"}),
		"/api/v1/namespaces/ns1/pods":       `{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"zz","namespace":"ns1"}},{"metadata":{"name":"aa","namespace":"ns1"}}]}`,
		"/apis/networking.istio.io/v1/namespaces/ns1/serviceentries": `{"kind":"ServiceEntryList","apiVersion":"networking.istio.io/v1","metadata":{},"items":[{"apiVersion":"networking.istio.io/v1","kind":"ServiceEntry","metadata":{"name":"httpbin","namespace":"ns1"},"spec":{"hosts":["httpbin.egress.test"]}}]}`,
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		*seen = append(*seen, r.URL.Path)
		body, ok := routes[r.URL.Path]
		if !ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprintf(w, `{"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound","code":404,"message":"%s not found"}`, r.URL.Path)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestListKindThroughDiscovery(t *testing.T) {
	var seen []string
	srv := apiServer(t, &seen)
	c, err := NewFromRest(&rest.Config{Host: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pods, err := c.ListKind(ctx, "ns1", schema.GroupKind{Kind: "Pod"})
	if err != nil || len(pods) != 2 || pods[0].GetName() != "aa" || pods[1].GetName() != "zz" {
		t.Fatalf("ListKind(Pod) = %v, %v; want aa, zz", pods, err)
	}
	ses, err := c.ListKind(ctx, "ns1", schema.GroupKind{Group: "networking.istio.io", Kind: "ServiceEntry"})
	if err != nil || len(ses) != 1 || ses[0].GetAPIVersion() != "networking.istio.io/v1" || ses[0].GetKind() != "ServiceEntry" {
		t.Fatalf("ListKind(ServiceEntry) = %v, %v", ses, err)
	}
	if hosts, _, _ := unstructured.NestedStringSlice(ses[0].Object, "spec", "hosts"); len(hosts) != 1 || hosts[0] != "httpbin.egress.test" {
		t.Fatalf("ServiceEntry spec lost: %v", ses[0].Object)
	}
	_, err = c.ListKind(ctx, "ns1", schema.GroupKind{Group: "gateway.networking.k8s.io", Kind: "TLSRoute"})
	if !errors.Is(err, ErrNotServed) || !strings.Contains(err.Error(), "TLSRoute.gateway.networking.k8s.io") {
		t.Fatalf("ListKind of a kind not served: %v, want ErrNotServed naming it", err)
	}
	_, err = c.ListKind(ctx, "ns2", schema.GroupKind{Kind: "Pod"})
	if err == nil || errors.Is(err, ErrNotServed) || !strings.Contains(err.Error(), "namespace ns2") {
		t.Fatalf("ListKind in a namespace the server does not know: %v", err)
	}
	if !slices.Contains(seen, "/apis/networking.istio.io/v1/namespaces/ns1/serviceentries") {
		t.Fatalf("ServiceEntries not listed in the preferred version: requests %v", seen)
	}
}
