package kube

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/e2e-framework/klient/k8s/resources"
)

// ErrNotServed is wrapped by ListKind when the API server does not serve the kind (its CRD is
// not installed).
var ErrNotServed = errors.New("kind not served by the API server")

// NamespacesMatching returns the names of the namespaces matching the label selector, sorted.
func (c *Client) NamespacesMatching(ctx context.Context, selector string) ([]string, error) {
	list, err := c.Clientset.CoreV1().Namespaces().List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("listing namespaces with selector %q: %v: check the selector and the API server (kubectl get ns -l %q)", selector, err, selector)
	}
	out := make([]string, 0, len(list.Items))
	for _, n := range list.Items {
		out = append(out, n.Name)
	}
	sort.Strings(out)
	return out, nil
}

// Pods returns the pods of namespace matching selector ("" for all), sorted by name.
func (c *Client) Pods(ctx context.Context, namespace, selector string) ([]corev1.Pod, error) {
	list, err := c.Clientset.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return nil, fmt.Errorf("listing pods in namespace %s with selector %q: %v: check the namespace and the selector (kubectl get pods -n %s -l %q)", namespace, selector, err, namespace, selector)
	}
	pods := list.Items
	sort.Slice(pods, func(i, j int) bool { return pods[i].Name < pods[j].Name })
	return pods, nil
}

// Events returns the namespace's events, oldest first (by event time, else last, first
// seen and creation time).
func (c *Client) Events(ctx context.Context, namespace string) ([]corev1.Event, error) {
	list, err := c.Clientset.CoreV1().Events(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("listing the events of namespace %s: %v: check that it exists (kubectl get events -n %s)", namespace, err, namespace)
	}
	evs := list.Items
	sort.SliceStable(evs, func(i, j int) bool { return EventTime(&evs[i]).Before(EventTime(&evs[j])) })
	return evs, nil
}

// EventTime is when an event last happened: its event time, else its last or first
// timestamp, else its creation.
func EventTime(e *corev1.Event) time.Time {
	switch {
	case !e.EventTime.IsZero():
		return e.EventTime.Time
	case !e.LastTimestamp.IsZero():
		return e.LastTimestamp.Time
	case !e.FirstTimestamp.IsZero():
		return e.FirstTimestamp.Time
	default:
		return e.CreationTimestamp.Time
	}
}

// ListKind lists the objects of a kind in namespace, in the version the API server prefers,
// sorted by name. A kind the server does not serve is an error wrapping ErrNotServed.
func (c *Client) ListKind(ctx context.Context, namespace string, gk schema.GroupKind) ([]unstructured.Unstructured, error) {
	res := c.Klient.Resources(namespace)
	m, err := res.GetControllerRuntimeClient().RESTMapper().RESTMapping(gk)
	if err != nil {
		if meta.IsNoMatchError(err) {
			return nil, fmt.Errorf("%w: %s (install its CRD to list it): %v", ErrNotServed, gk, err)
		}
		return nil, fmt.Errorf("finding the API version of %s: %v: check the API server's discovery (kubectl api-resources)", gk, err)
	}
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(m.GroupVersionKind.GroupVersion().WithKind(gk.Kind + "List"))
	if err := res.List(ctx, list, resources.WithTimeout(time.Minute)); err != nil {
		return nil, fmt.Errorf("listing %s in namespace %s: %v: check the namespace and your RBAC (kubectl get %s -n %s)", m.GroupVersionKind, namespace, err, m.Resource.Resource, namespace)
	}
	items := list.Items
	sort.Slice(items, func(i, j int) bool { return items[i].GetName() < items[j].GetName() })
	return items, nil
}

// LogsTail returns at most maxBytes of the end of a container's log (the previous
// instance's with previous) and how many bytes before them were dropped. The whole log is
// streamed, only its tail is kept in memory. maxBytes ≤ 0 keeps everything.
func (c *Client) LogsTail(ctx context.Context, namespace, pod, container string, previous bool, maxBytes int64) ([]byte, int64, error) {
	opts := &corev1.PodLogOptions{Container: container, Previous: previous}
	which := "log"
	if previous {
		which = "previous log"
	}
	where := fmt.Sprintf("the %s of container %s in pod %s/%s", which, container, namespace, pod)
	rc, err := c.Clientset.CoreV1().Pods(namespace).GetLogs(pod, opts).Stream(ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("reading %s: %v: check the pod and container names (kubectl logs %s -n %s -c %s)", where, err, pod, namespace, container)
	}
	defer rc.Close()
	tail, dropped, err := readTail(rc, maxBytes)
	if err != nil {
		return tail, dropped, fmt.Errorf("reading %s: %v after %d bytes", where, err, int64(len(tail))+dropped)
	}
	return tail, dropped, nil
}

// readTail reads r to the end and keeps its last max bytes (all when max ≤ 0).
func readTail(r io.Reader, max int64) ([]byte, int64, error) {
	var buf []byte
	var dropped int64
	chunk := make([]byte, 64<<10)
	for {
		n, err := r.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if max > 0 && int64(len(buf)) > 2*max {
			cut := int64(len(buf)) - max
			dropped += cut
			buf = append(buf[:0:0], buf[cut:]...)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return trimTail(buf, max, &dropped), dropped, err
		}
	}
	return trimTail(buf, max, &dropped), dropped, nil
}

func trimTail(buf []byte, max int64, dropped *int64) []byte {
	if max > 0 && int64(len(buf)) > max {
		*dropped += int64(len(buf)) - max
		buf = buf[int64(len(buf))-max:]
	}
	return buf
}
