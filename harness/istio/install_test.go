package istio

import (
	"context"
	"errors"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/egressconformance/iec/harness/kube"
)

func TestInstalledFindsTheDefaultRevisionsIstiod(t *testing.T) {
	ctx := context.Background()
	empty := &kube.Client{Clientset: fake.NewClientset()}
	if got, err := Installed(ctx, empty); err != nil || got {
		t.Fatalf("Installed(empty cluster) = %v, %v; want false, nil", got, err)
	}
	// A Deployment of that name elsewhere is not an Istio control plane.
	other := &kube.Client{Clientset: fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "istiod", Namespace: "default"}})}
	if got, err := Installed(ctx, other); err != nil || got {
		t.Fatalf("Installed(istiod in default) = %v, %v; want false, nil", got, err)
	}
	with := &kube.Client{Clientset: fake.NewClientset(&appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "istiod", Namespace: "istio-system"}})}
	if got, err := Installed(ctx, with); err != nil || !got {
		t.Fatalf("Installed(istio-system/istiod) = %v, %v; want true, nil", got, err)
	}
}

func TestInstalledReportsAnAPIError(t *testing.T) {
	cs := fake.NewClientset()
	cs.PrependReactor("get", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("connection refused")
	})
	_, err := Installed(context.Background(), &kube.Client{Clientset: cs})
	if err == nil || !strings.Contains(err.Error(), "istio-system/istiod") || !strings.Contains(err.Error(), "connection refused") {
		t.Fatalf("Installed with a failing API server = %v; want an error naming istio-system/istiod and the cause", err)
	}
}
