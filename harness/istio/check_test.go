package istio

import (
	"os"
	"strings"
	"testing"

	admissionv1 "k8s.io/api/admissionregistration/v1"
)

// testdata/analyze-1.31-dev.json is real `istioctl analyze --use-kube=false -A -o json` output
// (istioctl built from istio.io/istio 1.31 development code) for a VirtualService bound to a
// missing Gateway.
func TestParseFindingsCaptured(t *testing.T) {
	b, err := os.ReadFile("testdata/analyze-1.31-dev.json")
	if err != nil {
		t.Fatal(err)
	}
	fs, err := ParseFindings(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Code != "IST0101" || fs[0].Level != "Error" || fs[1].Level != "Warning" ||
		fs[0].Origin != "VirtualService egr-broken/via-missing-gateway" {
		t.Fatalf("findings %+v", fs)
	}
	if errs := AtLeast(fs, false); len(errs) != 1 || errs[0].Code != "IST0101" {
		t.Errorf("AtLeast(errors) = %v", errs)
	}
	if all := AtLeast(fs, true); len(all) != 2 {
		t.Errorf("AtLeast(warnings) = %v", all)
	}
}

func TestParseFindingsEmptyAndBroken(t *testing.T) {
	for _, in := range []string{"", "  \n", "[]", "null"} {
		if fs, err := ParseFindings([]byte(in)); err != nil || len(fs) != 0 {
			t.Errorf("ParseFindings(%q) = %v, %v; want no findings", in, fs, err)
		}
	}
	for _, in := range []string{"✔ No validation issues found", `[{"message":"x"}]`, `{"code":"IST0101"}`} {
		if _, err := ParseFindings([]byte(in)); err == nil {
			t.Errorf("ParseFindings(%q) accepted it", in)
		}
	}
}

func FuzzParseFindings(f *testing.F) {
	b, _ := os.ReadFile("testdata/analyze-1.31-dev.json")
	f.Add(b)
	f.Add([]byte("[]"))
	f.Fuzz(func(t *testing.T, in []byte) {
		fs, err := ParseFindings(in)
		if err != nil {
			return
		}
		for _, x := range fs {
			if x.Code == "" || x.Level == "" {
				t.Fatalf("accepted a finding without code or level: %+v", x)
			}
		}
	})
}

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
