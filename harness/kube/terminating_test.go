package kube

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
)

func TestWaitNoTerminatingPods(t *testing.T) {
	now := metav1.Now()
	pod := func(name string, terminating bool) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "kube-system", Labels: map[string]string{"k8s-app": "kube-dns"}}}
		if terminating {
			p.DeletionTimestamp = &now
			p.Finalizers = []string{"test/hold"}
		}
		return p
	}
	ctx := context.Background()
	c := &Client{Clientset: fake.NewClientset(pod("coredns-new", false)), PollInterval: 10 * time.Millisecond}
	if err := c.WaitNoTerminatingPods(ctx, "kube-system", "k8s-app=kube-dns", time.Second); err != nil {
		t.Fatalf("no pod terminating: %v", err)
	}
	c = &Client{Clientset: fake.NewClientset(pod("coredns-new", false), pod("coredns-old", true)), PollInterval: 10 * time.Millisecond}
	err := c.WaitNoTerminatingPods(ctx, "kube-system", "k8s-app=kube-dns", 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "coredns-old") || strings.Contains(err.Error(), "coredns-new") {
		t.Fatalf("a terminating pod must keep the wait going and be named: %v", err)
	}
}
