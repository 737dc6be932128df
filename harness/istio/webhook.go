package istio

import (
	"context"
	"fmt"
	"strings"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/egressconformance/iec/harness/kube"
)

// ValidationWebhookSelector selects istiod's ValidatingWebhookConfigurations (per revision
// istio-validator-<revision>-istio-system, and istiod-default-validator).
const ValidationWebhookSelector = "app=istiod"

// WaitValidationWebhook waits until istiod validates Istio config for real: istiod's
// validating webhooks exist and have failurePolicy Fail. Istio installs the config webhook
// with failurePolicy Ignore and istiod switches it to Fail once its own webhook server answers,
// so before that a broken object would be let through unvalidated.
func WaitValidationWebhook(ctx context.Context, k *kube.Client, timeout time.Duration) error {
	last := "not checked yet"
	timedOut, err := k.Poll(ctx, timeout, func(ctx context.Context) (bool, error) {
		list, err := k.Clientset.AdmissionregistrationV1().ValidatingWebhookConfigurations().List(ctx, metav1.ListOptions{LabelSelector: ValidationWebhookSelector})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		ok, why := webhooksEnforcing(list.Items)
		last = why
		return ok, nil
	})
	switch {
	case err == nil:
		return nil
	case timedOut && ctx.Err() == nil:
		return fmt.Errorf("istiod's validation webhook is not enforcing after %s: %s; check `kubectl -n istio-system logs deploy/istiod` (webhook server, certificates)", timeout, last)
	default:
		return fmt.Errorf("waiting for istiod's validation webhook: %w (last: %s)", err, last)
	}
}

// webhooksEnforcing reports whether there is at least one of istiod's config validation
// webhooks and every one of them fails closed.
func webhooksEnforcing(cfgs []admissionv1.ValidatingWebhookConfiguration) (bool, string) {
	if len(cfgs) == 0 {
		return false, "no ValidatingWebhookConfiguration labelled " + ValidationWebhookSelector
	}
	var open []string
	n := 0
	for _, c := range cfgs {
		for _, wh := range c.Webhooks {
			if !strings.HasPrefix(wh.Name, "validation.istio.io") && !strings.Contains(wh.Name, ".validation.istio.io") {
				continue
			}
			n++
			if wh.FailurePolicy == nil || *wh.FailurePolicy != admissionv1.Fail {
				open = append(open, c.Name+"/"+wh.Name)
			}
		}
	}
	if n == 0 {
		return false, "istiod's ValidatingWebhookConfigurations have no validation.istio.io webhook yet"
	}
	if len(open) > 0 {
		return false, "failurePolicy is not Fail yet on " + strings.Join(open, ", ")
	}
	return true, ""
}
