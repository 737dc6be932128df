package istio

import (
	"context"
	"strings"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/egressconformance/iec/harness/kube"
)

func validator(policy admissionv1.FailurePolicyType) *admissionv1.ValidatingWebhookConfiguration {
	return &admissionv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "istio-validator-istio-system", Labels: map[string]string{"app": "istiod"}},
		Webhooks:   []admissionv1.ValidatingWebhook{{Name: "rev.validation.istio.io", FailurePolicy: &policy}},
	}
}

func TestWaitValidationWebhookWaitsForFailClosed(t *testing.T) {
	ctx := context.Background()
	// Istio installs the webhook failing open; istiod switches it to Fail once it serves.
	cs := fake.NewClientset(validator(admissionv1.Ignore))
	lists := 0
	cs.PrependReactor("list", "validatingwebhookconfigurations", func(k8stesting.Action) (bool, runtime.Object, error) {
		lists++
		policy := admissionv1.Ignore
		if lists >= 3 {
			policy = admissionv1.Fail
		}
		return true, &admissionv1.ValidatingWebhookConfigurationList{Items: []admissionv1.ValidatingWebhookConfiguration{*validator(policy)}}, nil
	})
	k := &kube.Client{Clientset: cs, PollInterval: 10 * time.Millisecond}
	if err := WaitValidationWebhook(ctx, k, 5*time.Second); err != nil {
		t.Fatalf("the webhook turned Fail on the 3rd check, yet: %v", err)
	}
	if lists != 3 {
		t.Errorf("checked %d times, want 3 (done as soon as it fails closed)", lists)
	}
}

func TestWaitValidationWebhookSaysWhatItWaitedFor(t *testing.T) {
	k := &kube.Client{Clientset: fake.NewClientset(validator(admissionv1.Ignore)), PollInterval: 10 * time.Millisecond}
	err := WaitValidationWebhook(context.Background(), k, 100*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "not enforcing after 100ms") || !strings.Contains(err.Error(), "failurePolicy is not Fail yet on istio-validator-istio-system/rev.validation.istio.io") {
		t.Fatalf("a webhook that stays Ignore: %v", err)
	}
	k = &kube.Client{Clientset: fake.NewClientset(), PollInterval: 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = WaitValidationWebhook(ctx, k, time.Minute)
	if err == nil || !strings.Contains(err.Error(), "waiting for istiod's validation webhook") {
		t.Fatalf("a cancelled wait: %v", err)
	}
}
