package scenarios

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/egressconformance/iec/fixtures"
	"github.com/egressconformance/iec/harness/poll"
)

// CompleteConfigFrom is the index of the first probe that runs against the scenario's complete
// config: the last probe that applies manifests (0 when none does). The probes from there on
// hold with everything applied, so they can be verified again later (an upgrade run); the ones
// before it were verified against an intermediate config that later probes changed.
func (s Scenario) CompleteConfigFrom() int {
	from := 0
	for i, p := range s.Probes {
		if len(p.Apply) > 0 {
			from = i
		}
	}
	return from
}

// Clients lists the client kinds a scenario's probes run from.
func (s Scenario) Clients() []fixtures.ClientKind {
	seen := map[fixtures.ClientKind]bool{}
	var out []fixtures.ClientKind
	for _, p := range s.Probes {
		if !seen[p.From] {
			seen[p.From] = true
			out = append(out, p.From)
		}
	}
	return out
}

// Open creates the scenario's session. Where no data plane exists, the sidecar client is
// not deployed (its probes are skipped with fixtures.DataPlaneMissing).
func (s Scenario) Open(ctx context.Context, w *fixtures.World) (*fixtures.Session, error) {
	var clients []fixtures.ClientKind
	for _, c := range s.Clients() {
		if c.Injected() && !w.DataPlane {
			continue
		}
		clients = append(clients, c)
	}
	return w.Open(ctx, fixtures.SessionSpec{Scenario: s.Name, Policy: s.Requires.Policy, Clients: clients,
		GatewayAPIGateway: s.Requires.GatewayAPIGateway, MeshPolicy: s.Requires.MeshPolicy})
}

// SkipReason says why this probe cannot run in this world, or "".
func (p Probe) SkipReason(w *fixtures.World) string {
	n := p.Expect.Needs()
	if !w.DataPlane && (p.From.Injected() || n.SidecarLog || p.readsGateway() || len(n.Counters) > 0) {
		return fixtures.DataPlaneMissing
	}
	return ""
}

// Prepare applies the probe's manifests and waits until they reached the proxies it uses (and,
// for a NetworkPolicy, until the CNI enforces it).
func (p Probe) Prepare(ctx context.Context, sess *fixtures.Session) error {
	netpol := false
	for _, m := range p.Apply {
		text, err := Manifest(m)
		if err != nil {
			return err
		}
		if err := sess.Apply(ctx, text, nil); err != nil {
			return fmt.Errorf("applying %s: %w", m, err)
		}
		netpol = netpol || bytes.Contains(text, []byte("\nkind: NetworkPolicy\n"))
	}
	if netpol {
		if err := sess.WaitNetworkPolicyInForce(ctx, p.From); err != nil {
			return err
		}
	}
	return p.Await(ctx, sess)
}

// Await waits, without applying anything, until the session's config has reached the proxies
// the probe uses (a config fence through them; the mesh-wide policy where the scenario sets
// one), then passes them through the data-plane health gate (fixtures.Session.CheckDataPlane). After a control-plane upgrade it proves the new istiod serves the old proxies, and
// after a restart that the new proxies have the config.
func (p Probe) Await(ctx context.Context, sess *fixtures.Session) error {
	if err := sess.Fence(ctx, p.From, p.proxies()...); err != nil {
		return err
	}
	if err := sess.CheckDataPlane(ctx, p.From, p.proxies()...); err != nil {
		return err
	}
	if sess.MeshPolicy != "" && p.From.Injected() {
		return sess.WaitOutboundPolicy(ctx, p.From, sess.MeshPolicy)
	}
	return nil
}

func (p Probe) proxies() []fixtures.ProxyRef {
	var out []fixtures.ProxyRef
	if p.From.Injected() {
		out = append(out, fixtures.Sidecar)
	}
	if p.readsGateway() {
		out = append(out, fixtures.Gateway)
	}
	return out
}

// Result is one attempt: the observation, the checks that could not be judged here, and
// the failure (nil when every check held).
type Result struct {
	Observation   *fixtures.Observation
	NotApplicable []string
	Err           error
}

// Attempt runs the probe once and checks it. While a check fails, the evidence (logs,
// records, Squid lines) is read again until evidenceWait has passed, because Envoy flushes
// access logs periodically; the request itself is never repeated within an attempt.
func (p Probe) Attempt(ctx context.Context, sess *fixtures.Session, id string, evidenceWait, every time.Duration) Result {
	needs := p.Expect.Needs()
	if needs.Handshakes || needs.Squid {
		release, err := sess.W.HoldUnattributed(ctx)
		if err != nil {
			return Result{Err: err}
		}
		defer release()
	}
	o, err := sess.Probe(ctx, id, p.From, fixtures.Request{URL: p.URL, ViaSquid: p.ViaSquid, Resolve: p.Resolve}, needs)
	if err != nil {
		return Result{Observation: o, Err: err}
	}
	var (
		na      []string
		checked error
		again   bool // false for the first check, which reads what sess.Probe gathered
	)
	_, err = poll.Until(ctx, evidenceWait, every, func(ctx context.Context) (bool, error) {
		if again {
			if err := sess.Gather(ctx, o, needs); err != nil {
				return false, err
			}
		}
		again = true
		na, checked = p.Expect.Check(o)
		return checked == nil, nil
	})
	if err != nil && ctx.Err() == nil {
		return Result{Observation: o, Err: err} // reading the evidence again failed
	}
	return Result{Observation: o, NotApplicable: na, Err: checked}
}

// readsGateway reports whether the probe's evidence comes from the egress gateway, which then
// must have the config before the probe runs.
func (p Probe) readsGateway() bool {
	n := p.Expect.Needs()
	if n.GatewayLog {
		return true
	}
	for _, c := range n.Counters {
		if c.Proxy == fixtures.Gateway {
			return true
		}
	}
	return false
}

// Exclusive says whether, in an upgrade run, the scenario holds its config only while its own
// probes run: a Serial scenario's config reaches beyond its namespace — the shared egress
// gateway, configured for a host and port other Serial scenarios configure too (istioctl
// analyze on their union: IST0109, the same host for the mesh from several namespaces), or
// routes other namespaces' sidecars follow — so their configs cannot be applied at once. A
// scenario that switches the mesh-wide policy is closed after phase 1 instead.
func (s Scenario) Exclusive() bool {
	return s.HasLabel(Serial) && s.Requires.MeshPolicy == ""
}

// Withdraw removes the scenario's config from the session (fixtures.Session.Withdraw) and waits
// until the removal reached every proxy its probes use that outlives it: a fence applied
// after it arrived there (istiod pushes config in order), so the next scenario never meets
// this one's.
func (s Scenario) Withdraw(ctx context.Context, sess *fixtures.Session) error {
	if err := sess.Withdraw(ctx); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, p := range s.Probes {
		// A Gateway API gateway is the config's own: the withdrawal deletes it.
		var proxies []fixtures.ProxyRef
		for _, r := range p.proxies() {
			if r != fixtures.Gateway || s.Requires.GatewayAPIGateway == "" {
				proxies = append(proxies, r)
			}
		}
		key := fmt.Sprint(p.From, proxies)
		if seen[key] || len(proxies) == 0 {
			continue
		}
		seen[key] = true
		if err := sess.Fence(ctx, p.From, proxies...); err != nil {
			return fmt.Errorf("after withdrawing the config of scenario %s: %w", s.Name, err)
		}
	}
	return nil
}
