package parse

import (
	"os"
	"testing"
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
