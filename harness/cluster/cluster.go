// Package cluster creates, reuses and deletes the kind cluster a run uses, through kind's Go
// library (sigs.k8s.io/kind/pkg/cluster) with its docker node provider.
//
// kind's library is not context-aware: it shells out to the docker CLI and waits by itself.
// Ensure reacts to ctx during the long part, the creation: when ctx ends while kind creates
// the cluster, it deletes the nodes kind has made so far (kind's next step then fails at
// once), deletes again once kind returned, and only then returns, so a Ctrl-C during the
// minute a create takes leaves no cluster behind. The wait for the nodes to be Ready is its
// own (kind's ignores errors until its deadline) and ends with ctx too. The other exported
// functions run their kind calls in a worker goroutine and return when the worker ends or
// ctx is done, whichever comes first; the worker keeps the cluster name's lock until it
// ends, so a later Ensure or Delete of that name in this process waits for it instead of
// racing it. After the process dies, `kind delete cluster --name NAME` removes whatever is
// left.
package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	kindcluster "sigs.k8s.io/kind/pkg/cluster"
	"sigs.k8s.io/kind/pkg/cluster/nodes"

	"github.com/egressconformance/iec/harness/dockerx"
	"github.com/egressconformance/iec/harness/poll"
)

// Settings named in messages (see harness/config).
const (
	NodeImageEnv = "EGRESS_KIND_NODE_IMAGE"
	ReuseEnv     = "EGRESS_CLUSTER_REUSE"
)

// Spec says which cluster a run wants.
type Spec struct {
	Name       string
	NodeImage  string        // overrides every node's image; empty: the images in ConfigYAML, else kind's default
	ConfigYAML []byte        // kind v1alpha4 Cluster config (nil: DefaultConfig())
	Reuse      bool          // reuse an existing cluster of that name
	WaitReady  time.Duration // how long Ensure waits for a created cluster's nodes to be Ready (0: no wait)
	// Log receives kind's progress lines (nil: discarded), so that a create of a minute or
	// more is not silent.
	Log io.Writer
}

// Cluster is a cluster ready for use.
type Cluster struct {
	Name           string
	KubeconfigPath string
	Created        bool // false when an existing cluster was reused
}

// state is what preflight learned about the name.
type state struct {
	exists bool
	owned  bool
}

// Preflight checks, without changing anything, that Ensure(s) can work: the Docker engine
// answers; the docker CLI (which kind drives) is on PATH; the kind config parses; the node
// image is present locally (unless an existing cluster is going to be reused); and the name
// is not taken by a cluster this suite did not create while Reuse is false.
func Preflight(ctx context.Context, s Spec) error {
	_, err := run(ctx, nil, "checking the prerequisites of kind cluster "+s.Name, func() (state, error) {
		return preflight(ctx, s, newProvider(s.Log))
	})
	return err
}

func preflight(ctx context.Context, s Spec, p *kindcluster.Provider) (state, error) {
	var st state
	if err := validateName(s.Name); err != nil {
		return st, err
	}
	if err := dockerx.Ping(ctx); err != nil {
		return st, err
	}
	if _, err := exec.LookPath("docker"); err != nil {
		return st, errors.New("the docker CLI is not on PATH: kind drives Docker through it; install the docker client (Debian: apt-get install docker.io) or add it to PATH")
	}
	cfg, err := parseConfig(s.ConfigYAML)
	if err != nil {
		return st, err
	}
	names, err := listClusters(p)
	if err != nil {
		return st, err
	}
	st.exists = slices.Contains(names, s.Name)
	if st.exists {
		var why string
		st.owned, why = owned(ctx, p, s.Name)
		if s.Reuse {
			return st, nil // no image needed: the nodes already exist
		}
		if !st.owned {
			return st, fmt.Errorf("a kind cluster named %q already exists and was not created by this suite (%s): delete it with `kind delete cluster --name %s`, reuse it with %s=true, or pick another name with EGRESS_CLUSTER_NAME",
				s.Name, why, s.Name, ReuseEnv)
		}
		// Ours, left over from an earlier run: Ensure recreates it, which needs the image.
	}
	for _, img := range requiredImages(s.NodeImage, cfg) {
		ok, err := dockerx.ImagePresent(ctx, img)
		if err != nil {
			return st, err
		}
		if !ok {
			return st, missingImage(img)
		}
	}
	return st, nil
}

func missingImage(img string) error {
	hint := ""
	if strings.Contains(img, "@sha256:") {
		hint = " (a reference pinned by digest only matches an image pulled from a registry; for an image built or loaded without one, use its tag without @sha256:…)"
	}
	return fmt.Errorf("the kind node image %s is not present in the local Docker engine%s: on a machine with a registry run `docker pull %s` (and `docker save %s -o node.tar` to carry it over), load a saved one with `docker load -i <file>`, or set %s to a node image listed by `docker images`",
		img, hint, img, img, NodeImageEnv)
}

// owned reports whether an existing cluster carries our node label, read from the
// control-plane node's kubeadm configuration; why explains a false answer.
func owned(ctx context.Context, p *kindcluster.Provider, name string) (ok bool, why string) {
	nodes, err := p.ListNodes(name)
	if err != nil {
		return false, "its nodes could not be listed: " + kindMessage(err)
	}
	found := false
	for _, n := range nodes {
		if role, _ := n.Role(); role != "control-plane" {
			continue
		}
		found = true
		var buf bytes.Buffer
		if err := n.CommandContext(ctx, "cat", "/kind/kubeadm.conf").SetStdout(&buf).Run(); err != nil {
			return false, fmt.Sprintf("its ownership could not be checked: reading /kind/kubeadm.conf in node %s failed: %s", n, err)
		}
		if !strings.Contains(buf.String(), ManagedLabelKey+"="+ManagedLabelValue) {
			return false, "its nodes lack the label " + ManagedLabelKey + "=" + ManagedLabelValue
		}
	}
	if !found {
		return false, "it has no control-plane node"
	}
	return true, ""
}

// Ensure returns a usable cluster. It runs Preflight, then reuses the existing cluster (Reuse
// and it exists), or deletes and recreates a cluster this suite left behind (Reuse false), or
// creates a new one. The kubeconfig is written to kubeconfigDir/<name>.kubeconfig (mode 0600);
// the user's own kubeconfig is not touched.
func Ensure(ctx context.Context, s Spec, kubeconfigDir string) (*Cluster, error) {
	if err := validateName(s.Name); err != nil {
		return nil, err
	}
	if kubeconfigDir == "" {
		return nil, errors.New("Ensure: empty kubeconfig directory: pass the run's artifacts or temporary directory")
	}
	if err := os.MkdirAll(kubeconfigDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the kubeconfig directory %s: %w", kubeconfigDir, err)
	}
	kubeconfig, err := filepath.Abs(filepath.Join(kubeconfigDir, s.Name+".kubeconfig"))
	if err != nil {
		return nil, fmt.Errorf("resolving the kubeconfig path in %s: %w", kubeconfigDir, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ensuring kind cluster %s: %w", s.Name, err)
	}
	// Not run(): ensure itself returns soon after ctx ends, once what it created is gone.
	unlock, err := lock(ctx, s.Name)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return ensure(ctx, s, kubeconfig)
}

func ensure(ctx context.Context, s Spec, kubeconfig string) (*Cluster, error) {
	p := newProvider(s.Log)
	st, err := preflight(ctx, s, p)
	if err != nil {
		return nil, err
	}
	if st.exists && s.Reuse {
		raw, err := p.KubeConfig(s.Name, false)
		if err != nil {
			return nil, fmt.Errorf("reusing kind cluster %q: reading its kubeconfig: %s: is its node container running? (`docker ps -a --filter label=io.x-k8s.kind.cluster=%s`; `docker start` it, or delete it with `kind delete cluster --name %s`)",
				s.Name, kindMessage(err), s.Name, s.Name)
		}
		if err := os.WriteFile(kubeconfig, []byte(raw), 0o600); err != nil {
			return nil, fmt.Errorf("writing the kubeconfig of kind cluster %q to %s: %w", s.Name, kubeconfig, err)
		}
		remember(s.Name, kubeconfig)
		return &Cluster{Name: s.Name, KubeconfigPath: kubeconfig, Created: false}, nil
	}
	if st.exists {
		logf(s.Log, "kind cluster %s was left behind by an earlier run of this suite: deleting it to create a fresh one (set %s=true to keep it)", s.Name, ReuseEnv)
		// Its kubeconfig entries live in the file an earlier Ensure wrote, the same path.
		if err := deleteCluster(p, s.Name, kubeconfig); err != nil {
			return nil, err
		}
	}
	cfg, err := parseConfig(s.ConfigYAML)
	if err != nil {
		return nil, err
	}
	// kind merges into an existing file; start from none.
	if err := os.Remove(kubeconfig); err != nil && !os.IsNotExist(err) {
		return nil, fmt.Errorf("removing the stale kubeconfig %s: %w", kubeconfig, err)
	}
	opts := []kindcluster.CreateOption{
		kindcluster.CreateWithV1Alpha4Config(cfg),
		kindcluster.CreateWithKubeconfigPath(kubeconfig),
		kindcluster.CreateWithDisplayUsage(false),
		kindcluster.CreateWithDisplaySalutation(false),
	}
	if s.NodeImage != "" {
		opts = append(opts, kindcluster.CreateWithNodeImage(s.NodeImage))
	}
	logf(s.Log, "creating kind cluster %s (kubeconfig %s)", s.Name, kubeconfig)
	if err := create(ctx, p, s, kubeconfig, opts); err != nil {
		return nil, err
	}
	remember(s.Name, kubeconfig)
	cl := &Cluster{Name: s.Name, KubeconfigPath: kubeconfig, Created: true}
	if s.WaitReady > 0 {
		if err := waitReady(ctx, p, s, kubeconfig); err != nil {
			// Created but not usable: the caller's teardown deletes it (and can collect its
			// logs first), unless the run keeps its cluster for a look.
			return cl, err
		}
	}
	return cl, nil
}

// abandonKindAfter bounds the wait for kind's Create to return after an interrupt deleted its
// nodes (it fails at its next docker exec, within seconds).
const abandonKindAfter = 30 * time.Second

// create runs kind's Create. kind cannot be interrupted: when ctx ends first, the nodes kind
// has made so far are deleted, so that its next step fails at once, and deleted again once it
// returned (a node it was starting may have come up in between).
func create(ctx context.Context, p *kindcluster.Provider, s Spec, kubeconfig string, opts []kindcluster.CreateOption) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("creating kind cluster %s: %w", s.Name, err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Create(s.Name, opts...) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("creating kind cluster %q: %s: read kind's lines in the log, `docker logs %s-control-plane`, and run `kind delete cluster --name %s` if nodes were left behind",
				s.Name, kindMessage(err), s.Name, s.Name)
		}
		return nil
	case <-ctx.Done():
	}
	logf(s.Log, "interrupted while kind creates cluster %s: deleting its nodes", s.Name)
	errs := []error{fmt.Errorf("creating kind cluster %s: %w", s.Name, ctx.Err())}
	if err := deleteCluster(p, s.Name, kubeconfig); err != nil {
		errs = append(errs, err)
	}
	select {
	case <-done:
	case <-time.After(abandonKindAfter):
		logf(s.Log, "kind has not returned %s after the nodes of %s were deleted; deleting them again and leaving it", abandonKindAfter, s.Name)
	}
	if err := deleteCluster(p, s.Name, kubeconfig); err != nil {
		errs = append(errs, err)
	} else {
		logf(s.Log, "kind cluster %s deleted", s.Name)
	}
	return errors.Join(errs...)
}

// waitReady waits up to s.WaitReady for every node to be Ready, asking kubectl in the
// control-plane node as kind does, but giving up when ctx ends (then the cluster is deleted,
// as an interrupted create's is).
func waitReady(ctx context.Context, p *kindcluster.Provider, s Spec, kubeconfig string) error {
	all, err := p.ListInternalNodes(s.Name)
	if err != nil {
		return fmt.Errorf("listing the nodes of kind cluster %s: %s", s.Name, kindMessage(err))
	}
	var cp nodes.Node
	for _, n := range all {
		if role, _ := n.Role(); role == "control-plane" {
			cp = n
			break
		}
	}
	if cp == nil {
		return fmt.Errorf("kind cluster %s has no control-plane node: `docker ps -a --filter label=io.x-k8s.kind.cluster=%s`", s.Name, s.Name)
	}
	logf(s.Log, "waiting ≤ %s for the nodes of %s to be Ready", s.WaitReady, s.Name)
	start := time.Now()
	last := "no answer yet"
	timedOut, err := poll.Until(ctx, s.WaitReady, readyPoll, func(ctx context.Context) (bool, error) {
		var out bytes.Buffer
		err := cp.CommandContext(ctx, "kubectl", "--kubeconfig=/etc/kubernetes/admin.conf", "get", "nodes",
			"-o", readyJSONPath).SetStdout(&out).Run()
		if err == nil {
			last = strings.TrimSpace(out.String())
			return NodesReady(last), nil
		}
		if ctx.Err() == nil {
			last = "kubectl: " + kindMessage(err)
		}
		return false, nil // not ready yet: kubectl answers once the API server is up
	})
	// The condition returns no error, so err is ctx's; a ctx that ended at the bound is an
	// interruption too.
	if err != nil || (timedOut && ctx.Err() != nil) {
		logf(s.Log, "interrupted while waiting for the nodes of %s: deleting the cluster", s.Name)
		return errors.Join(fmt.Errorf("waiting for kind cluster %s to be Ready: %w", s.Name, ctx.Err()), deleteCluster(p, s.Name, kubeconfig))
	}
	if timedOut {
		return fmt.Errorf("the nodes of kind cluster %s are not Ready after %s (last: %s): look at `docker exec %s kubectl --kubeconfig=/etc/kubernetes/admin.conf describe nodes` and `docker exec %s journalctl -u kubelet`",
			s.Name, s.WaitReady, last, cp.String(), cp.String())
	}
	logf(s.Log, "nodes of %s Ready after %s", s.Name, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// readyPoll is how often waitReady asks whether the nodes are Ready.
const readyPoll = 500 * time.Millisecond

// readyJSONPath prints "NAME=STATUS " per node, STATUS being its Ready condition's.
const readyJSONPath = `jsonpath={range .items[*]}{.metadata.name}={.status.conditions[?(@.type=="Ready")].status}{" "}{end}`

// NodesReady reads readyJSONPath's output: true when it names at least one node and every
// node's Ready condition is True.
func NodesReady(out string) bool {
	fields := strings.Fields(out)
	if len(fields) == 0 {
		return false
	}
	for _, f := range fields {
		name, status, ok := strings.Cut(f, "=")
		if !ok || name == "" || status != "True" {
			return false
		}
	}
	return true
}

// Owned reports whether kind cluster name was created by this suite (its nodes carry the
// ManagedLabelKey label); why explains a false answer. The sweep deletes only owned clusters.
func Owned(ctx context.Context, name string) (ok bool, why string) {
	return owned(ctx, newProvider(nil), name)
}

// Kubeconfig returns the kubeconfig of an existing kind cluster (external endpoint), for
// tools that clean inside clusters they did not create.
func Kubeconfig(name string) (string, error) {
	raw, err := newProvider(nil).KubeConfig(name, false)
	if err != nil {
		return "", fmt.Errorf("reading the kubeconfig of kind cluster %q: %s", name, kindMessage(err))
	}
	return raw, nil
}
