package istio

import (
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
)

func TestWebhooksEnforcing(t *testing.T) {
	fail, ignore := admissionv1.Fail, admissionv1.Ignore
	cfg := func(name string, hooks ...admissionv1.ValidatingWebhook) admissionv1.ValidatingWebhookConfiguration {
		c := admissionv1.ValidatingWebhookConfiguration{Webhooks: hooks}
		c.Name = name
		return c
	}
	for _, tc := range []struct {
		name string
		cfgs []admissionv1.ValidatingWebhookConfiguration
		ok   bool
		why  string
	}{
		{"none", nil, false, "no ValidatingWebhookConfiguration"},
		{"ignore at first", []admissionv1.ValidatingWebhookConfiguration{
			cfg("istio-validator-istio-system", admissionv1.ValidatingWebhook{Name: "rev.validation.istio.io", FailurePolicy: &ignore}),
		}, false, "istio-validator-istio-system/rev.validation.istio.io"},
		{"one still open", []admissionv1.ValidatingWebhookConfiguration{
			cfg("istio-validator-istio-system", admissionv1.ValidatingWebhook{Name: "rev.validation.istio.io", FailurePolicy: &fail}),
			cfg("istiod-default-validator", admissionv1.ValidatingWebhook{Name: "validation.istio.io"}),
		}, false, "istiod-default-validator/validation.istio.io"},
		{"no istio webhook", []admissionv1.ValidatingWebhookConfiguration{
			cfg("other", admissionv1.ValidatingWebhook{Name: "x.example.com", FailurePolicy: &fail}),
		}, false, "no validation.istio.io webhook"},
		{"enforcing", []admissionv1.ValidatingWebhookConfiguration{
			cfg("istio-validator-istio-system", admissionv1.ValidatingWebhook{Name: "rev.validation.istio.io", FailurePolicy: &fail}),
			cfg("istiod-default-validator", admissionv1.ValidatingWebhook{Name: "validation.istio.io", FailurePolicy: &fail}),
		}, true, ""},
	} {
		ok, why := webhooksEnforcing(tc.cfgs)
		if ok != tc.ok || !strings.Contains(why, tc.why) {
			t.Errorf("%s: got %v %q, want %v containing %q", tc.name, ok, why, tc.ok, tc.why)
		}
	}
}
