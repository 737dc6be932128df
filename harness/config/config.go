// Package config is the suite's typed configuration. Precedence, lowest first:
// defaults in code (pins.go) → an optional YAML file → EGRESS_* environment → -egress.* flags.
// Validate runs before anything is created, so bad input fails fast with one clear message.
package config

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Mode selects which outside world the scenarios talk to.
type Mode string

const (
	// Hermetic (default): fake *.egress.test names resolved to the suite's own containers.
	Hermetic Mode = "hermetic"
	// Internet: the docs' public hosts (httpbin.org, www.google.com, wikipedia …).
	Internet Mode = "internet"
)

// Config is everything a run needs to know. Its YAML form uses the same keys as Settings.
type Config struct {
	Mode  Mode   `json:"mode"`
	RunID string `json:"runID"`

	Cluster   Cluster   `json:"cluster"`
	Istio     Istio     `json:"istio"`
	Images    Images    `json:"images"`
	Intervals Intervals `json:"intervals"`

	// Converge is how many consecutive passes a positive probe needs.
	Converge int `json:"converge"`
	// ArtifactsDir receives JUnit, reports, probe evidence and failure bundles.
	ArtifactsDir string `json:"artifactsDir"`
	// EvidenceMaxBytes caps each probe attempt's evidence file (fixtures.Observation.CappedJSON).
	EvidenceMaxBytes int64 `json:"evidenceMaxBytes"`
	// BundleMaxBytes caps one failure bundle (bundle.DefaultCaps); BundleMaxCount caps how
	// many failure bundles one run writes, across its parallel processes (bundle.Claim).
	BundleMaxBytes int64 `json:"bundleMaxBytes"`
	BundleMaxCount int   `json:"bundleMaxCount"`
	// LeaseDir holds the leases of the runs on this host (harness/lease): shared by all of
	// them, so that none removes what a live one owns.
	LeaseDir string `json:"leaseDir"`

	// Deprecated lists the settings given under a former name (Setting.Aliases), for the
	// commands to print: the run goes on, but the user learns the name to move to. It is not
	// a setting, so the JSON form (which uses the settings' keys) leaves it out.
	Deprecated []Deprecation `json:"-"`
}

// Cluster says which kind cluster to use.
type Cluster struct {
	Name      string `json:"name"`
	Reuse     bool   `json:"reuse"`
	Keep      bool   `json:"keep"`
	NodeImage string `json:"nodeImage"`
	// KindConfig is an optional path to a kind v1alpha4 Cluster config.
	KindConfig string `json:"kindConfig"`
}

// Istio says which Istio to install and how.
type Istio struct {
	Version string `json:"version"`
	// Istioctl is a path to an istioctl binary; empty means: download the official
	// release archive for Version, verify its sha256, cache it under CacheDir.
	Istioctl string `json:"istioctl"`
	Hub      string `json:"hub"`
	Tag      string `json:"tag"`
	CacheDir string `json:"cacheDir"`
	// ControlPlaneOnly installs istiod without gateways: for clusters with no Envoy image
	// (the offline lab). Data-plane probes are then skipped with that reason.
	ControlPlaneOnly bool `json:"controlPlaneOnly"`
	// UpstreamEnvoy says the proxy image (Hub/proxyv2:Tag) runs upstream Envoy, not Istio's
	// istio-proxy (the offline lab's image): istiod is installed with Istio's own filters off
	// (ALPN, metadata exchange, stats), which upstream Envoy lacks and would reject.
	UpstreamEnvoy bool `json:"upstreamEnvoy"`
	// UpgradeTo, when set, turns the run into upgrade gating: install Version, verify every
	// scenario, upgrade the control plane in place to UpgradeTo, verify with the old sidecars,
	// restart the workloads, verify again (docs/upgrade.md).
	UpgradeTo string `json:"upgradeTo"`
	// UpgradeIstioctl is UpgradeTo's istioctl; empty means: download and verify its release
	// archive like Istioctl's.
	UpgradeIstioctl string `json:"upgradeIstioctl"`
}

// Upgrading reports whether the run is an upgrade gate (istio.upgradeTo is set).
func (c Config) Upgrading() bool { return c.Istio.UpgradeTo != "" }

// Images are the fixture images, by role. Registry, when set, replaces the registry
// host of every image that is not overridden one by one (air-gapped mirrors).
type Images struct {
	Registry string `json:"registry"`
	Curl     string `json:"curl"`
	Squid    string `json:"squid"`
	Echo     string `json:"echo"`
}

// Intervals are named waits. Specs never carry literal timeouts.
type Intervals struct {
	// Setup bounds cluster creation, Istio install and fixture start, each.
	Setup time.Duration `json:"setup"`
	// Propagation bounds how long config may take to reach the proxies.
	Propagation time.Duration `json:"propagation"`
	// Poll is the pause between attempts while waiting.
	Poll time.Duration `json:"poll"`
	// NegativeWindow is how long a negative outcome (blocked, 504) must keep holding.
	NegativeWindow time.Duration `json:"negativeWindow"`
	// NetworkPolicy bounds the wait for the CNI to enforce a deny-all NetworkPolicy (the
	// once-per-run check, and before a policy-blocked probe): CNIs program policies within
	// seconds, while Propagation is sized for istiod's pushes.
	NetworkPolicy time.Duration `json:"networkPolicy"`
	// Probe bounds one client request (curl --max-time).
	Probe time.Duration `json:"probe"`
}

// Default returns the configuration before any file, environment or flag is read.
func Default() Config {
	return Config{
		Mode: Hermetic,
		Cluster: Cluster{
			Name:      "egress-conformance",
			NodeImage: DefaultKindNodeImage,
		},
		Istio: Istio{
			Version:  DefaultIstioVersion,
			Hub:      DefaultIstioHub,
			CacheDir: defaultCacheDir(),
		},
		Images: Images{
			Curl:  DefaultCurlImage,
			Squid: DefaultSquidImage,
			Echo:  DefaultEchoImage,
		},
		Intervals: Intervals{
			Setup:          10 * time.Minute,
			Propagation:    2 * time.Minute,
			Poll:           time.Second,
			NegativeWindow: 10 * time.Second,
			NetworkPolicy:  30 * time.Second,
			Probe:          20 * time.Second,
		},
		Converge:         3,
		ArtifactsDir:     "_out/artifacts",
		EvidenceMaxBytes: 8 << 20,
		BundleMaxBytes:   8 << 20,
		BundleMaxCount:   5,
		LeaseDir:         DefaultLeaseDir(),
	}
}

// NewRunID returns a short random id that labels everything a run creates.
func NewRunID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
