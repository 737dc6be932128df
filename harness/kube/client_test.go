package kube

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func fakeClient(objs ...any) *Client {
	cs := fake.NewClientset()
	for _, o := range objs {
		switch v := o.(type) {
		case *corev1.Pod:
			_, _ = cs.CoreV1().Pods(v.Namespace).Create(context.Background(), v, metav1.CreateOptions{})
		case *corev1.Event:
			_, _ = cs.CoreV1().Events(v.Namespace).Create(context.Background(), v, metav1.CreateOptions{})
		case *appsv1.Deployment:
			_, _ = cs.AppsV1().Deployments(v.Namespace).Create(context.Background(), v, metav1.CreateOptions{})
		case *corev1.Namespace:
			_, _ = cs.CoreV1().Namespaces().Create(context.Background(), v, metav1.CreateOptions{})
		}
	}
	return &Client{Clientset: cs, PollInterval: 10 * time.Millisecond}
}

func pod(name string, ready bool, mut ...func(*corev1.Pod)) *corev1.Pod {
	st := corev1.ConditionFalse
	if ready {
		st = corev1.ConditionTrue
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "egr", Labels: map[string]string{"app": "curl"}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: st}},
		},
	}
	for _, m := range mut {
		m(p)
	}
	return p
}

func TestWaitPodsReady(t *testing.T) {
	ctx := context.Background()
	c := fakeClient(pod("curl-1", true), pod("curl-2", true), pod("other", false, func(p *corev1.Pod) { p.Labels = map[string]string{"app": "x"} }))
	pods, err := c.WaitPodsReady(ctx, "egr", "app=curl", time.Second)
	if err != nil || len(pods) != 2 {
		t.Fatalf("WaitPodsReady = %d pods, %v; want 2, nil", len(pods), err)
	}

	stuck := pod("curl-3", false, func(p *corev1.Pod) {
		p.Status.Phase = corev1.PodPending
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name:  "curl",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ImagePullBackOff", Message: "Back-off pulling image \"curlimages/curl\""}},
		}}
	})
	ev := &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "curl-3.1", Namespace: "egr"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Name: "curl-3", Namespace: "egr"},
		Type:           "Warning", Reason: "Failed", Message: "Failed to pull image: dial tcp: lookup registry-1.docker.io: no such host",
		LastTimestamp: metav1.Now(), Count: 4,
	}
	c = fakeClient(pod("curl-1", true), stuck, ev)
	start := time.Now()
	_, err = c.WaitPodsReady(ctx, "egr", "app=curl", 200*time.Millisecond)
	if err == nil {
		t.Fatal("no error for a pod stuck in ImagePullBackOff")
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("the wait took %s, beyond its bound", time.Since(start))
	}
	for _, want := range []string{"curl-3", "phase Pending", "ImagePullBackOff", "Back-off pulling", "Warning Failed", "no such host", "(x4)", `selector "app=curl"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "curl-1:") {
		t.Errorf("error lists a ready pod:\n%v", err)
	}

	// No pod at all.
	_, err = fakeClient().WaitPodsReady(ctx, "egr", "app=curl", 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "no pod matches") {
		t.Fatalf("no pods: %v", err)
	}

	// A pod that cannot start fails fast.
	never := pod("curl-4", false, func(p *corev1.Pod) {
		p.Status.ContainerStatuses = []corev1.ContainerStatus{{
			Name:  "curl",
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "ErrImageNeverPull", Message: "Container image \"lab/curl:1\" is not present with pull policy of Never"}},
		}}
	})
	start = time.Now()
	_, err = fakeClient(never).WaitPodsReady(ctx, "egr", "app=curl", time.Minute)
	if err == nil || !strings.Contains(err.Error(), "kind load docker-image") || time.Since(start) > 10*time.Second {
		t.Fatalf("ErrImageNeverPull: %v after %s", err, time.Since(start))
	}
}

func TestWaitDeploymentAvailable(t *testing.T) {
	ctx := context.Background()
	two := int32(2)
	dep := func(name string, updated, available int32, observed int64) *appsv1.Deployment {
		return &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "egr", Generation: 2},
			Spec: appsv1.DeploymentSpec{
				Replicas: &two,
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "curl"}},
			},
			Status: appsv1.DeploymentStatus{
				ObservedGeneration: observed, Replicas: 2, UpdatedReplicas: updated, AvailableReplicas: available,
				Conditions: []appsv1.DeploymentCondition{{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue}},
			},
		}
	}
	if err := fakeClient(dep("done", 2, 2, 2)).WaitDeploymentAvailable(ctx, "egr", "done", time.Second); err != nil {
		t.Fatalf("rolled-out deployment: %v", err)
	}
	for name, d := range map[string]*appsv1.Deployment{
		"old generation": dep("d", 2, 2, 1),
		"half updated":   dep("d", 1, 2, 2),
		"one available":  dep("d", 2, 1, 2),
	} {
		err := fakeClient(d, pod("curl-x", false)).WaitDeploymentAvailable(ctx, "egr", "d", 50*time.Millisecond)
		if err == nil {
			t.Errorf("%s: no error", name)
			continue
		}
		for _, want := range []string{"deployment egr/d not available", "replicas wanted 2", "pod curl-x"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error lacks %q:\n%v", name, want, err)
			}
		}
	}
	err := fakeClient().WaitDeploymentAvailable(ctx, "egr", "missing", 50*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "never created") {
		t.Fatalf("missing deployment: %v", err)
	}
}

func TestNamespaces(t *testing.T) {
	ctx := context.Background()
	c := fakeClient(&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "default", Labels: map[string]string{"keep": "me"}}})
	if err := c.CreateNamespace(ctx, "egr-a", map[string]string{"egress-conformance/run": "r1"}); err != nil {
		t.Fatal(err)
	}
	ns, _ := c.Clientset.CoreV1().Namespaces().Get(ctx, "egr-a", metav1.GetOptions{})
	if ns.Labels["egress-conformance/run"] != "r1" {
		t.Fatalf("labels = %v", ns.Labels)
	}
	// Existing namespace: labels merged.
	if err := c.CreateNamespace(ctx, "default", map[string]string{"istio-injection": "enabled"}); err != nil {
		t.Fatal(err)
	}
	ns, _ = c.Clientset.CoreV1().Namespaces().Get(ctx, "default", metav1.GetOptions{})
	if ns.Labels["keep"] != "me" || ns.Labels["istio-injection"] != "enabled" {
		t.Fatalf("merged labels = %v", ns.Labels)
	}
	if err := c.DeleteNamespace(ctx, "egr-a", time.Second); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteNamespace(ctx, "egr-a", time.Second); err != nil {
		t.Fatalf("deleting an absent namespace: %v", err)
	}
}

func TestLogsSince(t *testing.T) {
	c := fakeClient(pod("curl-1", true))
	b, err := c.LogsSince(context.Background(), "egr", "curl-1", "istio-proxy", time.Now().Add(-time.Minute))
	if err != nil || len(b) == 0 {
		t.Fatalf("LogsSince = %q, %v", b, err)
	}
}

func TestNew(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.kubeconfig")
	if _, err := New(missing); err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "KUBECONFIG") {
		t.Fatalf("New(missing) = %v", err)
	}
	kc := filepath.Join(dir, "kc")
	if err := os.WriteFile(kc, []byte(`apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:1"}
users:
- name: u
  user: {token: t}
contexts:
- name: x
  context: {cluster: c, user: u}
current-context: x
`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := New(kc)
	if err != nil {
		t.Fatalf("New(valid kubeconfig, unreachable server) should not contact it: %v", err)
	}
	if c.Rest.Host != "https://127.0.0.1:1" || c.Rest.QPS != 50 || c.Klient == nil || c.Clientset == nil {
		t.Fatalf("client = %+v", c.Rest)
	}
	if _, err := NewFromRest(nil); err == nil {
		t.Fatal("NewFromRest(nil) gave no error")
	}
}

func TestRolloutRestartAndDeletePod(t *testing.T) {
	ctx := context.Background()
	one := int32(1)
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "gw", Namespace: "egr"},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "gw"}},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "gw"}, Annotations: map[string]string{"keep": "me"}}}},
	}
	c := fakeClient(dep, pod("curl-1", true))
	if err := c.RolloutRestart(ctx, "egr", "gw"); err != nil {
		t.Fatal(err)
	}
	got, err := c.Clientset.AppsV1().Deployments("egr").Get(ctx, "gw", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a := got.Spec.Template.Annotations; a[RestartedAtAnnotation] == "" || a["keep"] != "me" {
		t.Errorf("pod template annotations after restart: %v", a)
	}
	if err := c.RolloutRestart(ctx, "egr", "missing"); err == nil || !strings.Contains(err.Error(), "restarting deployment egr/missing") {
		t.Errorf("restarting a missing deployment: %v", err)
	}
	if err := c.DeletePod(ctx, "egr", "curl-1", time.Second); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Clientset.CoreV1().Pods("egr").Get(ctx, "curl-1", metav1.GetOptions{}); err == nil {
		t.Error("pod still there")
	}
	if err := c.DeletePod(ctx, "egr", "curl-1", time.Second); err != nil {
		t.Errorf("deleting an absent pod: %v", err)
	}
}
