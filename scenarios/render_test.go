package scenarios

import (
	"strings"
	"testing"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
)

func TestTextFillsInTheModesNames(t *testing.T) {
	var sawTemplate bool
	for _, sc := range All() {
		for _, p := range sc.Probes {
			raw := p.Name + ": " + p.Expect.String()
			sawTemplate = sawTemplate || strings.Contains(raw, "{{")
			for _, mode := range []config.Mode{config.Hermetic, config.Internet} {
				got := Text(p, mode, sc.Name)
				if strings.Contains(got, "{{") {
					t.Errorf("%s/%s (%s): the text keeps a template: %s", sc.Name, p.Name, mode, got)
				}
				if !strings.HasPrefix(got, p.Name+": ") {
					t.Errorf("%s/%s: the text must start with the probe name and \": \" (the reports split there): %s", sc.Name, p.Name, got)
				}
			}
		}
	}
	if !sawTemplate {
		t.Fatal("no expectation in the catalog has a template: this test checks nothing")
	}
	// The same probe reads with each mode's own hosts.
	sc, ok := Get("external-https-proxy-tcp-entry")
	if !ok {
		t.Fatal("scenario external-https-proxy-tcp-entry is not registered")
	}
	h, i := Text(sc.Probes[0], config.Hermetic, sc.Name), Text(sc.Probes[0], config.Internet, sc.Name)
	if h == i || !strings.Contains(h, fixtures.NamesFor(config.Hermetic).HTTPSHost) || !strings.Contains(i, fixtures.NamesFor(config.Internet).HTTPSHost) {
		t.Errorf("hermetic %q and internet %q texts must name their own HTTPS host", h, i)
	}
}
