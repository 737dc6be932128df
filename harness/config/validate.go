package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/distribution/reference"

	"github.com/egressconformance/iec/harness/version"
)

var (
	dnsLabel = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	// imageTag is the OCI distribution spec's tag grammar.
	imageTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
)

// Validate checks every setting and returns all problems at once, each naming the setting
// (YAML key and environment variable) and the fix.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, a ...any) {
		env, via := "", ""
		for _, s := range Settings {
			if s.Key == key {
				env = s.Env
			}
		}
		for _, d := range c.Deprecated { // the user wrote the former name: show it too
			if d.Key == key && d.InEffect {
				via = ", given as its former name " + d.Former
			}
		}
		errs = append(errs, fmt.Errorf("%s (%s%s): %s", env, key, via, fmt.Sprintf(format, a...)))
	}
	if c.Mode != Hermetic && c.Mode != Internet {
		bad("mode", "unknown mode %q: use %q (default, no internet needed) or %q", c.Mode, Hermetic, Internet)
	}
	if c.RunID != "" && (!dnsLabel.MatchString(c.RunID) || len(c.RunID) > 20) {
		bad("runID", "%q is not usable as a label value and name suffix: use up to 20 lowercase letters, digits and '-'", c.RunID)
	}
	if !dnsLabel.MatchString(c.Cluster.Name) || len(c.Cluster.Name) > 40 {
		bad("cluster.name", "%q is not a valid kind cluster name: use lowercase letters, digits and '-', at most 40", c.Cluster.Name)
	}
	if v, ok := c.checkRelease(bad, "istio.version", c.Istio.Version, c.Istio.Istioctl != ""); ok &&
		!slices.Contains(SupportedIstioMinors, v.MinorString()) && c.Istio.Istioctl == "" {
		bad("istio.version", "Istio %s is not supported: use a release of %s (or give your own istioctl with EGRESS_ISTIOCTL to try another)",
			c.Istio.Version, strings.Join(SupportedIstioMinors, ", "))
	}
	c.validateUpgrade(bad)
	if c.Istio.UpstreamEnvoy && c.Istio.ControlPlaneOnly {
		bad("istio.upstreamEnvoy", "set together with istio.controlPlaneOnly, which runs no proxy at all: drop one of them")
	}
	for _, img := range []struct{ key, ref string }{
		{"cluster.nodeImage", c.Cluster.NodeImage},
		{"images.curl", c.Images.Curl},
		{"images.squid", c.Images.Squid},
		{"images.echo", c.Images.Echo},
	} {
		if _, err := reference.ParseNormalizedNamed(img.ref); err != nil {
			bad(img.key, "%q is not an image reference (%v): use [registry/]repository[:tag][@sha256:digest]", img.ref, err)
		}
	}
	if c.Images.Registry != "" {
		if _, err := reference.ParseNormalizedNamed(c.Images.Registry + "/x"); err != nil || strings.Contains(c.Images.Registry, "@") {
			bad("images.registry", "%q is not a registry host[:port][/path]", c.Images.Registry)
		}
	}
	if c.Istio.Hub != "" {
		if _, err := reference.ParseNormalizedNamed(c.Istio.Hub + "/pilot"); err != nil || strings.Contains(c.Istio.Hub, "://") {
			bad("istio.hub", "%q is not a registry/repository prefix such as docker.io/istio (no scheme, no trailing /, no tag)", c.Istio.Hub)
		}
	}
	if c.Istio.Tag != "" && !imageTag.MatchString(c.Istio.Tag) {
		bad("istio.tag", "%q is not an image tag: use letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-'), such as 1.31.1 or 1.31.1-distroless", c.Istio.Tag)
	}
	c.Intervals.validate(bad)
	if c.Converge < 1 || c.Converge > 20 {
		bad("converge", "%d consecutive passes is out of range: use 1 to 20", c.Converge)
	}
	for _, b := range []struct {
		key string
		n   int64
	}{{"evidenceMaxBytes", c.EvidenceMaxBytes}, {"bundleMaxBytes", c.BundleMaxBytes}} {
		if b.n < 1<<16 || b.n > 1<<30 {
			bad(b.key, "%d bytes is out of range: use 65536 (64 KiB) to 1073741824 (1 GiB)", b.n)
		}
	}
	if c.BundleMaxCount < 0 || c.BundleMaxCount > 1000 {
		bad("bundleMaxCount", "%d failure bundles is out of range: use 0 (none) to 1000", c.BundleMaxCount)
	}
	c.checkPaths(bad)
	return invalid(errs...)
}

// Image returns the reference to use for a role's image: an individual override wins;
// otherwise a configured Registry replaces the default image's registry host.
func (c Config) Image(role string) string {
	var ref, def string
	switch role {
	case "curl":
		ref, def = c.Images.Curl, DefaultCurlImage
	case "squid":
		ref, def = c.Images.Squid, DefaultSquidImage
	case "echo":
		ref, def = c.Images.Echo, DefaultEchoImage
	case "node":
		ref, def = c.Cluster.NodeImage, DefaultKindNodeImage
	default:
		panic("config: unknown image role " + role)
	}
	if ref != def || c.Images.Registry == "" {
		return ref
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	out := c.Images.Registry + "/" + reference.Path(named)
	if t, ok := named.(reference.Tagged); ok {
		out += ":" + t.Tag()
	}
	if d, ok := named.(reference.Digested); ok {
		out += "@" + d.Digest().String()
	}
	return out
}

// IstioTag is the image tag istioctl installs: the configured tag or the version.
func (c Config) IstioTag() string {
	if c.Istio.Tag != "" {
		return c.Istio.Tag
	}
	return c.Istio.Version
}

// validateUpgrade checks upgrade gating (istio.upgradeTo): a release later than istio.version
// by at most one minor (Istio supports in-place upgrades from at most one minor earlier), a
// supported minor unless its istioctl is given, and no setting that would pin one value for
// both releases.
func (c Config) validateUpgrade(bad func(key, format string, a ...any)) {
	if c.Istio.UpgradeTo == "" {
		if c.Istio.UpgradeIstioctl != "" {
			bad("istio.upgradeIstioctl", "%q is only used by an upgrade: set istio.upgradeTo (EGRESS_ISTIO_UPGRADE_TO) to its release, or unset it", c.Istio.UpgradeIstioctl)
		}
		return
	}
	to, ok := c.checkRelease(bad, "istio.upgradeTo", c.Istio.UpgradeTo, c.Istio.UpgradeIstioctl != "")
	if !ok {
		return
	}
	if !slices.Contains(SupportedIstioMinors, to.MinorString()) && c.Istio.UpgradeIstioctl == "" {
		bad("istio.upgradeTo", "Istio %s is not supported: upgrade to a release of %s (or give its istioctl with EGRESS_ISTIO_UPGRADE_ISTIOCTL to try another)",
			c.Istio.UpgradeTo, strings.Join(SupportedIstioMinors, ", "))
	}
	if from, err := version.Parse(c.Istio.Version); err == nil { // a bad istio.version is reported on its own
		switch {
		case to.Compare(from) <= 0:
			bad("istio.upgradeTo", "%s is not later than istio.version %s (EGRESS_ISTIO_VERSION): the gate installs istio.version and upgrades it to istio.upgradeTo: give a later release, or unset istio.upgradeTo for a run without upgrade",
				c.Istio.UpgradeTo, c.Istio.Version)
		case to.Major != from.Major:
			bad("istio.upgradeTo", "an upgrade from %s to %s changes the major release: an in-place upgrade is supported from at most one minor earlier, within a major: %s",
				c.Istio.Version, c.Istio.UpgradeTo, nextSupported(from))
		case to.Minor-from.Minor > 1:
			var skipped []string
			for m := from.Minor + 1; m < to.Minor; m++ {
				skipped = append(skipped, fmt.Sprintf("%d.%d", to.Major, m))
			}
			bad("istio.upgradeTo", "an in-place upgrade from %s to %s skips %s: Istio supports in-place upgrades from at most one minor earlier: start from a %d.%d release, or gate each step (%s) as its own run",
				c.Istio.Version, c.Istio.UpgradeTo, strings.Join(skipped, ", "), to.Major, to.Minor-1, minorSteps(from, to))
		}
	}
	if c.Istio.Tag != "" {
		bad("istio.tag", "%q would pin one image tag for both releases of the upgrade: unset it (each release's images are pulled with its version as the tag, from istio.hub)", c.Istio.Tag)
	}
}

// minorSteps is "1.29 → 1.30, 1.30 → 1.31".
func minorSteps(from, to version.Version) string {
	var steps []string
	for m := from.Minor; m < to.Minor; m++ {
		steps = append(steps, fmt.Sprintf("%d.%d → %d.%d", from.Major, m, from.Major, m+1))
	}
	return strings.Join(steps, ", ")
}

// nextSupported says which upgrade from `from` the suite can gate instead of a major one.
func nextSupported(from version.Version) string {
	next := fmt.Sprintf("%d.%d", from.Major, from.Minor+1)
	if slices.Contains(SupportedIstioMinors, next) {
		return "gate a release of " + next + " instead"
	}
	return "the suite does not gate upgrades from " + from.MinorString() + " yet (it supports " + strings.Join(SupportedIstioMinors, ", ") + ")"
}
