package config

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Setting is one configurable value: its YAML key, environment variable and flag.
// The same table drives the file, the environment, the flags and the table in docs/configuration.md.
type Setting struct {
	Key  string // YAML path, e.g. "istio.version"
	Env  string // EGRESS_ISTIO_VERSION
	Flag string // egress.istio.version
	Help string
	// Aliases are the setting's former names, still read from the file, the environment and
	// the flags so that configurations written before a rename keep working (layer.apply).
	Aliases []Names
	get     func(*Config) string
	set     func(*Config, string) error
}

// Names are the names of a setting, its current ones (Setting.names) or former ones.
type Names struct{ Key, Env, Flag string }

func (s Setting) names() Names { return Names{Key: s.Key, Env: s.Env, Flag: s.Flag} }

// nameIndex is every setting's name of one kind (pick: the key, the variable or the flag),
// former names too: which are known, all of them in the settings' order (for suggestions),
// and the current name of each former one.
func nameIndex(pick func(Names) string) (known map[string]bool, names []string, renamed map[string]string) {
	known, renamed = map[string]bool{}, map[string]string{}
	for _, s := range Settings {
		cur := pick(s.names())
		known[cur] = true
		names = append(names, cur)
		for _, a := range s.Aliases {
			known[pick(a)] = true
			names = append(names, pick(a))
			renamed[pick(a)] = cur
		}
	}
	return known, names, renamed
}

// formerly adds a former name to s, given as the key and variable it had; its flag follows
// from the key, as for every setting.
func (s Setting) formerly(key, env string) Setting {
	s.Aliases = append(s.Aliases, Names{Key: key, Env: env, Flag: "egress." + key})
	return s
}

// Deprecation is a setting given under a former name: it still takes effect, and commands
// print it (String) so that the user moves to the current name before the former one goes.
type Deprecation struct {
	Key, Env string // the setting's current key and variable
	Former   string // the former name as given, with its place: EGRESS_X, -egress.x or c.yaml:3: x
	Current  string // the name to use instead, in the same place (variable, key or flag)
	// InEffect: the setting's value is the one given under Former (no layer above set it),
	// so a problem with the value names Former too (Validate).
	InEffect bool
}

func (d Deprecation) String() string {
	return fmt.Sprintf("%s is deprecated: it is the former name of %s (%s) and still sets it for now: rename it to %s",
		d.Former, d.Key, d.Env, d.Current)
}

// layer is one source of values (the file, the environment, the flags), each above the one
// before it.
type layer struct {
	name   func(Names) string        // a setting's name here: key, variable or -flag
	lookup func(Names) (given, bool) // the value given under these names, if any
	assign string                    // between a name and its value as written: "=" or ": "
	remove string                    // how to take a name out of this layer: unset, delete, drop
}

// given is a value as a layer has it under one name.
type given struct {
	text  string // as written
	at    string // the name with its place: EGRESS_X, -egress.x or c.yaml:3: x
	label string // what a message about the value starts with: EGRESS_X (x), -egress.x or c.yaml:3: x
}

// apply gives c the values this layer has, each under a setting's current name or a former
// one, and returns the former names used and the keys set. A former name works as the
// current one; one layer giving a setting under two names with different values is refused
// rather than one of them silently winning (the layers above still override either, as for
// any setting), while the same value under both is accepted, the former name reported.
func (l layer) apply(c *Config) (deps []Deprecation, set map[string]bool, errs []error) {
	set = map[string]bool{}
	for _, s := range Settings {
		var got []given
		cur, hasCur := l.lookup(s.names())
		if hasCur {
			got = append(got, cur)
		}
		var former []string
		for _, a := range s.Aliases {
			if g, ok := l.lookup(a); ok {
				got = append(got, g)
				former = append(former, l.name(a))
				deps = append(deps, Deprecation{Key: s.Key, Env: s.Env, Former: g.at, Current: l.name(s.names()), InEffect: !hasCur})
			}
		}
		if len(got) == 0 {
			continue
		}
		set[s.Key] = true
		var values []string
		for _, g := range got {
			tmp := *c
			if err := s.set(&tmp, g.text); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", g.label, err))
				continue
			}
			values = append(values, s.get(&tmp))
		}
		if len(values) < len(got) {
			continue
		}
		if i := slices.IndexFunc(values, func(v string) bool { return v != values[0] }); i > 0 {
			errs = append(errs, fmt.Errorf("%s%s%s and %s%s%s disagree: both set %s (%s %s): %s %s and give %s the value you mean",
				got[0].at, l.assign, got[0].text, got[i].at, l.assign, got[i].text, s.Key,
				strings.Join(former, ", "), plural(len(former), "is its former name", "are its former names"),
				l.remove, strings.Join(former, ", "), l.name(s.names())))
			continue
		}
		_ = s.set(c, got[0].text) // parsed above
	}
	return deps, set, errs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// typed makes the Setting of one field of type T: format writes the value as the file, the
// environment and -egress.* flags spell it; parse reads it back, and a value it refuses is
// reported as not being want.
func typed[T any](key, env, help string, p func(*Config) *T, format func(T) string, parse func(string) (T, error), want string) Setting {
	return Setting{Key: key, Env: env, Flag: "egress." + key, Help: help,
		get: func(c *Config) string { return format(*p(c)) },
		set: func(c *Config, v string) error {
			x, err := parse(v)
			if err != nil {
				return fmt.Errorf("%q is not %s", v, want)
			}
			*p(c) = x
			return nil
		}}
}

func str(key, env, help string, p func(*Config) *string) Setting {
	same := func(v string) string { return v }
	return typed(key, env, help, p, same, func(v string) (string, error) { return v, nil }, "a string")
}

func boolean(key, env, help string, p func(*Config) *bool) Setting {
	return typed(key, env, help, p, strconv.FormatBool, strconv.ParseBool, "a boolean: use true or false")
}

func duration(key, env, help string, p func(*Config) *time.Duration) Setting {
	return typed(key, env, help, p, time.Duration.String, time.ParseDuration,
		"a duration: use Go syntax such as 90s, 2m or 1m30s")
}

func integer(key, env, help string, p func(*Config) *int) Setting {
	return typed(key, env, help, p, strconv.Itoa, strconv.Atoi, "a whole number")
}

func integer64(key, env, help string, p func(*Config) *int64) Setting {
	format := func(n int64) string { return strconv.FormatInt(n, 10) }
	parse := func(v string) (int64, error) { return strconv.ParseInt(v, 10, 64) }
	return typed(key, env, help, p, format, parse, "a whole number")
}

// Settings lists every setting in the order docs/configuration.md shows them.
var Settings = []Setting{
	str("mode", "EGRESS_MODE", "hermetic (fake *.egress.test hosts served by the suite's containers) or internet (the docs' public hosts)",
		func(c *Config) *string { return (*string)(&c.Mode) }),
	str("runID", "EGRESS_RUN_ID", "label value on everything the run creates (random when empty)",
		func(c *Config) *string { return &c.RunID }),
	str("cluster.name", "EGRESS_CLUSTER_NAME", "kind cluster name",
		func(c *Config) *string { return &c.Cluster.Name }),
	boolean("cluster.reuse", "EGRESS_CLUSTER_REUSE", "reuse an existing kind cluster of that name instead of creating one",
		func(c *Config) *bool { return &c.Cluster.Reuse }),
	boolean("cluster.keep", "EGRESS_CLUSTER_KEEP", "keep the cluster (and Istio) after the run",
		func(c *Config) *bool { return &c.Cluster.Keep }),
	str("cluster.nodeImage", "EGRESS_KIND_NODE_IMAGE", "kind node image",
		func(c *Config) *string { return &c.Cluster.NodeImage }),
	str("cluster.kindConfig", "EGRESS_KIND_CONFIG", "path to a kind v1alpha4 Cluster config (optional)",
		func(c *Config) *string { return &c.Cluster.KindConfig }),
	str("istio.version", "EGRESS_ISTIO_VERSION", "Istio release to install (one of the supported minors)",
		func(c *Config) *string { return &c.Istio.Version }),
	str("istio.istioctl", "EGRESS_ISTIOCTL", "path to an istioctl to use instead of downloading the release archive",
		func(c *Config) *string { return &c.Istio.Istioctl }),
	str("istio.hub", "EGRESS_ISTIO_HUB", "registry/repository of Istio's images (air-gapped mirror)",
		func(c *Config) *string { return &c.Istio.Hub }),
	str("istio.tag", "EGRESS_ISTIO_TAG", "tag of Istio's images (defaults to the version)",
		func(c *Config) *string { return &c.Istio.Tag }),
	str("istio.cacheDir", "EGRESS_ISTIO_CACHE", "where verified istioctl downloads are cached, per version",
		func(c *Config) *string { return &c.Istio.CacheDir }),
	boolean("istio.controlPlaneOnly", "EGRESS_ISTIO_CONTROL_PLANE_ONLY", "install istiod only (no Envoy image available): data-plane probes are skipped with that reason",
		func(c *Config) *bool { return &c.Istio.ControlPlaneOnly }),
	boolean("istio.upstreamEnvoy", "EGRESS_ISTIO_UPSTREAM_ENVOY", "the proxy image runs upstream Envoy (the offline lab's): istiod is told not to emit Istio's own filters (ALPN, metadata exchange, stats)",
		func(c *Config) *bool { return &c.Istio.UpstreamEnvoy }),
	str("istio.upgradeTo", "EGRESS_ISTIO_UPGRADE_TO", "upgrade gating: after verifying istio.version, upgrade the control plane in place to this release, verify with the old sidecars, restart the workloads, verify again (at most one minor later; empty: no upgrade)",
		func(c *Config) *string { return &c.Istio.UpgradeTo }),
	str("istio.upgradeIstioctl", "EGRESS_ISTIO_UPGRADE_ISTIOCTL", "path to the istioctl of istio.upgradeTo instead of downloading its release archive",
		func(c *Config) *string { return &c.Istio.UpgradeIstioctl }),
	str("images.registry", "EGRESS_IMAGE_REGISTRY", "registry host that replaces the registry of every fixture image not overridden below",
		func(c *Config) *string { return &c.Images.Registry }),
	str("images.curl", "EGRESS_IMAGE_CURL", "in-cluster client image (curl)",
		func(c *Config) *string { return &c.Images.Curl }),
	str("images.squid", "EGRESS_IMAGE_SQUID", "forward proxy image (Squid), outside the cluster",
		func(c *Config) *string { return &c.Images.Squid }),
	str("images.echo", "EGRESS_IMAGE_ECHO", "recording httpbin image, outside the cluster (built locally by `make images` by default)",
		func(c *Config) *string { return &c.Images.Echo }),
	duration("intervals.setup", "EGRESS_INTERVAL_SETUP", "bound on each setup step (cluster, Istio, fixtures)",
		func(c *Config) *time.Duration { return &c.Intervals.Setup }),
	duration("intervals.propagation", "EGRESS_INTERVAL_PROPAGATION", "bound on config reaching the proxies",
		func(c *Config) *time.Duration { return &c.Intervals.Propagation }),
	duration("intervals.poll", "EGRESS_INTERVAL_POLL", "pause between attempts while waiting",
		func(c *Config) *time.Duration { return &c.Intervals.Poll }),
	duration("intervals.negativeWindow", "EGRESS_INTERVAL_NEGATIVE_WINDOW", "how long a negative outcome (blocked, 504) must keep holding",
		func(c *Config) *time.Duration { return &c.Intervals.NegativeWindow }),
	duration("intervals.networkPolicy", "EGRESS_INTERVAL_NETWORK_POLICY", "bound on the CNI enforcing a NetworkPolicy (the once-per-run check, and before a policy-blocked probe)",
		func(c *Config) *time.Duration { return &c.Intervals.NetworkPolicy }),
	duration("intervals.probe", "EGRESS_INTERVAL_PROBE", "bound on one client request (curl --max-time)",
		func(c *Config) *time.Duration { return &c.Intervals.Probe }),
	integer("converge", "EGRESS_CONVERGE", "consecutive passes a positive probe needs",
		func(c *Config) *int { return &c.Converge }),
	str("artifactsDir", "EGRESS_ARTIFACTS", "where JUnit, reports, probe evidence and failure bundles are written",
		func(c *Config) *string { return &c.ArtifactsDir }),
	integer64("evidenceMaxBytes", "EGRESS_EVIDENCE_MAX_BYTES", "cap on each probe attempt's evidence file",
		func(c *Config) *int64 { return &c.EvidenceMaxBytes }),
	integer64("bundleMaxBytes", "EGRESS_BUNDLE_MAX_BYTES", "cap on one failure bundle",
		func(c *Config) *int64 { return &c.BundleMaxBytes }),
	// The count was evidenceMaxDumps before the bundle settings got names of their own.
	integer("bundleMaxCount", "EGRESS_BUNDLE_MAX_COUNT", "cap on how many failure bundles a run writes (0: none)",
		func(c *Config) *int { return &c.BundleMaxCount }).formerly("evidenceMaxDumps", "EGRESS_EVIDENCE_MAX_DUMPS"),
	str("leaseDir", "EGRESS_LEASE_DIR", "where the runs of this host keep their leases (what a live run owns is never swept)",
		func(c *Config) *string { return &c.LeaseDir }),
}

// FileEnv names the optional YAML config file.
const FileEnv = "EGRESS_CONFIG"

// DefaultLeaseDir is shared by every user's runs on this host, like /tmp itself.
func DefaultLeaseDir() string {
	return filepath.Join(os.TempDir(), "egress-conformance", "leases")
}

func defaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "egress-conformance", "istio")
	}
	return filepath.Join(os.TempDir(), "egress-conformance", "istio")
}
