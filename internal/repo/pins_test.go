package repo

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/egressconformance/iec/harness/config"
)

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile("../../" + path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// workflow is the part of .github/workflows/ci.yml these tests read.
type workflow struct {
	Jobs map[string]struct {
		TimeoutMinutes int `yaml:"timeout-minutes"`
		Strategy       struct {
			Matrix struct {
				Istio   []string            `yaml:"istio"`
				Include []map[string]string `yaml:"include"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func ciWorkflow(t *testing.T) (workflow, string) {
	t.Helper()
	raw := read(t, ".github/workflows/ci.yml")
	var w workflow
	if err := yaml.Unmarshal([]byte(raw), &w); err != nil {
		t.Fatalf(".github/workflows/ci.yml: %v", err)
	}
	return w, raw
}

// The Istio versions live in harness/config/pins.go (IstioReleases); the CI matrix, the
// upgrade pair, the Makefile's and docs' examples and go.mod's Istio modules follow it.
func TestIstioVersionsFollowThePins(t *testing.T) {
	w, _ := ciWorkflow(t)
	if got := w.Jobs["e2e"].Strategy.Matrix.Istio; !slices.Equal(got, config.IstioReleases) {
		t.Errorf("ci.yml's e2e matrix is %v, the pins are %v (harness/config/pins.go IstioReleases)", got, config.IstioReleases)
	}
	from, to := config.UpgradePair()
	inc := w.Jobs["upgrade"].Strategy.Matrix.Include
	if len(inc) != 1 || inc[0]["from"] != from || inc[0]["to"] != to {
		t.Errorf("ci.yml's upgrade job gates %v, the pins' pair is %s → %s (config.UpgradePair)", inc, from, to)
	}

	mk := read(t, "Makefile")
	for _, want := range []string{"UPGRADE_DRY_RUN_FROM ?= " + from + "\n", "UPGRADE_DRY_RUN_TO ?= " + to + "\n"} {
		if !strings.Contains(mk, want) {
			t.Errorf("the Makefile lacks %q (config.UpgradePair)", want)
		}
	}
	example := regexp.MustCompile(`ISTIO_FROM=(\d\S*) ISTIO_TO=(\d\S*)`)
	for _, f := range []string{"Makefile", "README.md", "docs/upgrade.md", "docs/configuration.md"} {
		for _, m := range example.FindAllStringSubmatch(read(t, f), -1) {
			if m[1] != from || strings.TrimRight(m[2], `"'`) != to {
				t.Errorf("%s's example %q is not the pins' pair %s → %s", f, m[0], from, to)
			}
		}
	}
	row := "| istio.version | EGRESS_ISTIO_VERSION | " + config.DefaultIstioVersion + " | Istio release (supported minors: " + strings.Join(config.SupportedIstioMinors, ", ")
	if !strings.Contains(read(t, "docs/configuration.md"), row) {
		t.Errorf("docs/configuration.md lacks the row %q", row)
	}
	readme := read(t, "README.md")
	if !strings.Contains(readme, "the default is "+config.DefaultIstioVersion) || !strings.Contains(readme, "Istio "+strings.Join(config.SupportedIstioMinors[:len(config.SupportedIstioMinors)-1], ", ")+" or "+config.SupportedIstioMinors[len(config.SupportedIstioMinors)-1]) {
		t.Errorf("README.md's prerequisites do not name the supported minors %v and the default %s", config.SupportedIstioMinors, config.DefaultIstioVersion)
	}
	gomod := read(t, "go.mod")
	for _, mod := range []string{"istio.io/api", "istio.io/client-go"} {
		if !strings.Contains(gomod, "\t"+mod+" v"+config.DefaultIstioVersion+"\n") {
			t.Errorf("go.mod must require %s at the default release v%s (the API the suite renders is the one it installs)", mod, config.DefaultIstioVersion)
		}
	}
}

// Hosted runners: every action pinned by commit with its release named, no job beyond the
// limits it states, no token left in the checkout, no kubeconfig in an uploaded artifact.
func TestWorkflowIsSafeOnHostedRunners(t *testing.T) {
	w, raw := ciWorkflow(t)
	pinned := regexp.MustCompile(`^\s*(?:- )?uses: [\w.-]+/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$`)
	for i, l := range strings.Split(raw, "\n") {
		if strings.Contains(l, "uses:") && !pinned.MatchString(l) {
			t.Errorf("ci.yml:%d: %q: pin the action by its commit, with the release as a comment (uses: owner/repo@<40 hex> # vX.Y.Z)", i+1, strings.TrimSpace(l))
		}
	}
	if got := w.Jobs["test"].TimeoutMinutes; got == 0 || got > 30 {
		t.Errorf("the test job's timeout is %d min: it must fit the 30 minutes a pull request waits", got)
	}
	for name, j := range w.Jobs {
		if j.TimeoutMinutes == 0 {
			t.Errorf("job %s has no timeout-minutes (GitHub's default is 6 hours)", name)
		}
		for _, s := range j.Steps {
			switch {
			case strings.HasPrefix(s.Uses, "actions/checkout@") && s.With["persist-credentials"] != "false":
				t.Errorf("job %s: actions/checkout must set persist-credentials: false (the token stays out of .git/config)", name)
			case strings.HasPrefix(s.Uses, "actions/upload-artifact@"):
				p := s.With["path"]
				if !strings.Contains(p, "/kube\n") || !strings.Contains(p, "!_out/**/*kubeconfig*") {
					t.Errorf("job %s uploads %q without excluding the run's kubeconfig (<artifacts>/kube, *kubeconfig*)", name, p)
				}
			}
		}
	}
}
