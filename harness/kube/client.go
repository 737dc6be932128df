// Package kube holds the Kubernetes mechanics the suite needs, on top of e2e-framework's
// klient (used as a library) and client-go: apply templated manifests with server-side apply,
// delete them again, exec with exit codes, logs since a moment, and bounded waits whose errors
// say why pods are not ready.
//
// Everything takes a *rest.Config (NewFromRest), so the same code runs against a kind
// cluster, any other cluster, or a bare kube-apiserver in tests.
package kube

import (
	"errors"
	"fmt"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/e2e-framework/klient"
)

// FieldManager is the server-side apply field manager of everything the suite applies.
const FieldManager = "egress-conformance"

// Client bundles the three views of one cluster.
type Client struct {
	Rest      *rest.Config
	Klient    klient.Client
	Clientset kubernetes.Interface
	// PollInterval is the pause between checks while waiting (0: one second), so that the
	// suite's configured poll interval is used.
	PollInterval time.Duration
}

// New builds a Client from a kubeconfig file. An empty path uses the default loading rules
// ($KUBECONFIG, then ~/.kube/config) and the current context.
func New(kubeconfigPath string) (*Client, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	where := "the default kubeconfig ($KUBECONFIG or ~/.kube/config)"
	if kubeconfigPath != "" {
		rules = &clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfigPath}
		where = "kubeconfig " + kubeconfigPath
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("loading %s: %v: pass the file the cluster step wrote (cluster.Cluster.KubeconfigPath) or set KUBECONFIG", where, err)
	}
	c, err := NewFromRest(cfg)
	if err != nil {
		return nil, fmt.Errorf("using %s: %w", where, err)
	}
	return c, nil
}

// NewFromRest builds a Client from a rest.Config (copied; client-side rate limits are raised
// to 50 QPS / burst 100 when unset, since waits poll). It does not contact the server.
func NewFromRest(cfg *rest.Config) (*Client, error) {
	if cfg == nil {
		return nil, errors.New("kube.NewFromRest: nil *rest.Config: build one with clientcmd or pass a kubeconfig to kube.New")
	}
	cfg = rest.CopyConfig(cfg)
	if cfg.QPS == 0 {
		cfg.QPS = 50
	}
	if cfg.Burst == 0 {
		cfg.Burst = 100
	}
	kl, err := klient.New(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating the Kubernetes client for %s: %v", cfg.Host, err)
	}
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating the Kubernetes clientset for %s: %v", cfg.Host, err)
	}
	return &Client{Rest: cfg, Klient: kl, Clientset: cs}, nil
}

func (c *Client) poll() time.Duration {
	if c.PollInterval > 0 {
		return c.PollInterval
	}
	return time.Second
}
