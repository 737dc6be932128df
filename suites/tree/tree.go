// Package tree declares the conformance suite's Ginkgo tree: one Ordered container per
// registered scenario with one spec per probe (Plain), or the same once per phase of an
// upgrade run (Upgrade), and the report entries its readers use (reports/entry). It runs the
// tree against a World: the live one (Live, what suites/egress runs) or a scripted one (the
// suites under suites/testdata, which record the reports package's test data). Both go
// through the same nodes, decorators, outcome discipline and entries, so a recorded report
// has the shape of a real run's.
package tree

import (
	"context"
	"time"

	. "github.com/onsi/ginkgo/v2"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/config"
	"github.com/egressconformance/iec/reports/entry"
	"github.com/egressconformance/iec/scenarios"
)

// World is what the tree's nodes act on: the cluster, Istio and the outside world of a run.
type World interface {
	// Plan decides whether sc runs here and which of its probes (scenarios.Scenario.PlanIn).
	Plan(ctx context.Context, sc scenarios.Scenario) (scenarios.Plan, error)
	// Open opens sc's namespaces and clients. A session it returns is closed by the tree,
	// also when it returns an error with it (a half-opened session).
	Open(ctx context.Context, sc scenarios.Scenario) (Session, error)
	// Leftovers lists what is still labelled with the scenario after its session closed.
	Leftovers(ctx context.Context, scenario string) ([]string, error)
	SetMeshOutboundPolicy(ctx context.Context, p scenarios.Policy) error
	// UpgradeControlPlane and RestartGateway are the upgrade run's steps (docs/upgrade.md).
	UpgradeControlPlane(ctx context.Context) error
	RestartGateway(ctx context.Context) error
}

// Session is one scenario's namespaces and clients; probes are named by their index in the
// scenario's Probes.
type Session interface {
	// Prepare applies probe i's config and waits until its proxies hold it (Probe.Prepare).
	Prepare(ctx context.Context, i int) error
	// Await waits until the config already applied reaches probe i's proxies (Probe.Await).
	Await(ctx context.Context, i int) error
	// Attempt runs probe i once, as probe id, and judges it (Probe.Attempt).
	Attempt(ctx context.Context, i int, id string) scenarios.Result
	// CheckedProxies are the proxies whose health was checked so far (their report texts).
	CheckedProxies() []string
	// Proxies are the releases the session's proxies run.
	Proxies(ctx context.Context) ([]fixtures.ProxyRelease, error)
	// Reapply and Withdraw give an exclusive scenario's config back and take it away.
	Reapply(ctx context.Context) error
	Withdraw(ctx context.Context) error
	RestartWorkloads(ctx context.Context) error
	Close(ctx context.Context) error
}

// Options are what the tree needs while it is declared and when its nodes run.
type Options struct {
	// Mode names the probes in spec texts (the tree is declared before the setup runs).
	Mode config.Mode
	// ProbeBudget bounds one probe spec (its node timeout).
	ProbeBudget time.Duration
	// Config and World are read when a node runs: the suite's setup sets them after the tree
	// was declared.
	Config func() config.Config
	World  func() World
}

// DefaultProbeBudget bounds a live probe spec: propagation, the negative window and slow
// requests. It is fixed because node timeouts are set while the tree is declared; the
// configured intervals bound the waits inside.
const DefaultProbeBudget = 10 * time.Minute

// Record adds e to the running node's report; reports/entry is the contract its readers use.
func Record(e entry.Entry, args ...any) {
	AddReportEntry(e.Name, append([]any{e.Value, Offset(1)}, args...)...)
}

// RecordWorld records the run's properties and the setup's timings (on the setup node), so
// that a failed setup still reports how far it got.
func RecordWorld(properties map[string]string, timings []fixtures.Timing) {
	for k, v := range properties {
		Record(entry.Property(k, v))
	}
	for _, t := range timings {
		Record(entry.Timing(t.Phase, t.Took))
	}
}
