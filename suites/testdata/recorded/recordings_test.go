package recorded

import (
	"errors"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/suites/testdata/script"
	"github.com/egressconformance/iec/suites/tree"
)

// mixed is mixed.json: every kind of outcome of a plain run. Every probe the world does not
// name passes.
func mixed() recording {
	w := &script.World{
		Cfg: script.Config("mixed-fixture", "1.31.1", ""),
		// A scenario that does not apply to the release (skipped in its BeforeAll).
		Skip: map[string]string{"wildcard-hosts": "documented behaviour applies from Istio 1.32; this run installs 1.31.1"},
		// Opening a scenario fails: its first spec fails in BeforeAll, Ginkgo skips the others.
		OpenErr: map[string]error{"mtls-origination": errors.New(`creating namespace egr-mtls-origination-3f9a1c: admission webhook "namespace.sidecar-injector.istio.io" denied the request`)},
		Outcomes: map[string]script.Outcome{
			"registry-only-blocks-unknown-host/http-gets-502":    script.FailsFromSecondAttempt,
			"virtual-service-timeout-504/3s-timeout-answers-504": script.NeverAnswers,
		},
		NotChecked: map[string]string{
			"external-https-proxy-tcp-entry/plain-pod-tunnels-through-squid": "destination saw TLS with SNI: not applicable: the destination is a public host in internet mode",
		},
	}
	return recording{
		world: w,
		timings: setupTimings(w, 1200*time.Millisecond,
			fixtures.Timing{Phase: "outside world on the kind network", Took: 6400 * time.Millisecond},
			fixtures.Timing{Phase: "hermetic names in cluster DNS", Took: 2100 * time.Millisecond}),
		// A teardown that fails, as a real one can (it is reported as a suite-level node).
		setUp: func() {
			DeferCleanup(func() error {
				return errors.New("deleting kind cluster egress-conformance: context deadline exceeded")
			})
		},
		declare: func() { tree.Plain(w.Options()) },
	}
}

// upgrade is upgrade-mixed.json: the upgrade tree's outcomes and skips. Every probe the
// world does not name passes.
func upgrade() recording {
	w := &script.World{
		Cfg: script.Config("upgrade-fixture", "1.30.0", "1.31.1"),
		// Does not apply to the installed release: skipped in phase 1, so not set up for the others.
		Skip: map[string]string{"wildcard-hosts": "documented behaviour applies from Istio 1.32; this run installs 1.30.0"},
		// A probe that breaks with the old sidecars on the new control plane.
		Outcomes: map[string]script.Outcome{"service-entry-http/other-host-still-blocked": script.FailsInPhase2},
		// Restarting a scenario's workloads fails in phase 3 (its BeforeAll).
		Restart: map[string]error{"egress-gateway-http": errors.New("restarting scenario egress-gateway-http's workloads on Istio 1.31.1: the restarted sidecar client was injected with another release than the control plane's")},
	}
	var up *tree.UpgradeRun
	return recording{
		world:   w,
		timings: setupTimings(w, 2300*time.Millisecond),
		// As the live suite's setup does: the sessions close after the last phase.
		setUp:   func() { DeferCleanup(up.CloseSessions) },
		declare: func() { up = tree.Upgrade(w.Cfg, w.Options()) },
	}
}

// setupTimings are the setup's timings: preflight, the kind cluster, Istio, then more.
func setupTimings(w *script.World, preflight time.Duration, more ...fixtures.Timing) []fixtures.Timing {
	return append([]fixtures.Timing{
		{Phase: "preflight", Took: preflight},
		{Phase: "kind cluster " + w.Cfg.Cluster.Name, Took: 47300 * time.Millisecond},
		{Phase: "Istio " + w.Cfg.Istio.Version, Took: 98100 * time.Millisecond},
	}, more...)
}
