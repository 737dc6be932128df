package config

import "github.com/egressconformance/iec/harness/version"

// This file is the one place where versions and images are pinned. Every value can be
// overridden (YAML file, EGRESS_* environment variable or -egress.* flag; see settings.go).
// Images are pinned as tag@sha256 so a moved tag cannot change what a signed run tested.
// Tool versions (ginkgo, kind, actionlint) are pinned in go.mod's tool directives.

// IstioReleases is the one list of Istio versions: the newest patch of each supported minor
// that the suite knows of (the last three minors), oldest first. "Knows of" means the Istio
// API modules are published for it: istio.io/api and istio.io/client-go v1.30.8, v1.31.4 and
// v1.32.0 on the Go module proxy on 2026-12-04. go.mod requires those modules at the newest
// entry's version. Everything else is derived (below) or checked against this list by
// internal/repo's tests: the CI matrix and upgrade pair (.github/workflows/ci.yml), the
// Makefile's examples and docs/configuration.md, docs/upgrade.md.
var IstioReleases = []string{"1.30.8", "1.31.4", "1.32.0"}

// DefaultIstioVersion is the Istio release the suite installs unless told otherwise: the
// newest of IstioReleases (a test keeps them equal; a constant, so flags can default to it).
const DefaultIstioVersion = "1.32.0"

// SupportedIstioMinors are the minors of IstioReleases ("1.30", …), oldest first.
var SupportedIstioMinors = minorsOf(IstioReleases)

// NewestKnownIstioPatch is, per supported minor, the patch in IstioReleases. A later patch
// of that minor is refused unless its istioctl is given, because the release archive to
// download cannot exist yet (1.31.999 is a typo, not a release). Other minors have no bound.
var NewestKnownIstioPatch = patchesOf(IstioReleases)

// UpgradePair is the upgrade the CI gates: the previous minor's newest patch to the default.
func UpgradePair() (from, to string) {
	return IstioReleases[len(IstioReleases)-2], IstioReleases[len(IstioReleases)-1]
}

// Images, by role.
const (
	// DefaultKindNodeImage is kind v0.33.0's default node image (sigs.k8s.io/kind
	// pkg/apis/config/defaults), Kubernetes v1.37.0.
	// renovate: datasource=docker depName=kindest/node
	DefaultKindNodeImage = "docker.io/kindest/node:v1.37.0@sha256:a1ed56cfb0e7b93589bdf97c8cd566405a265939e3620fc4f5de89adff580ae5"

	// DefaultCurlImage runs the in-cluster client (the image of Istio's samples/curl).
	// renovate: datasource=docker depName=curlimages/curl
	DefaultCurlImage = "docker.io/curlimages/curl:8.16.0@sha256:463eaf6072688fe96ac64fa623fe73e1dbe25d8ad6c34404a669ad3ce1f104b6"

	// DefaultSquidImage is the corporate forward proxy outside the cluster (Canonical's Squid).
	// renovate: datasource=docker depName=ubuntu/squid
	DefaultSquidImage = "docker.io/ubuntu/squid:latest@sha256:6a097f68bae708cedbabd6188d68c7e2e7a38cedd05a176e1cc0ba29e3bbe029"

	// DefaultEchoImage is the recording httpbin (go-httpbin + a request recorder, this
	// module's fixtures/outside/echo). It is built locally from source by `make images`
	// (FROM scratch, no registry needed); point EGRESS_IMAGE_ECHO at a mirror to skip the build.
	DefaultEchoImage = "egress-conformance/echo:v2.26.0-1"

	// DefaultIstioHub is where istioctl pulls Istio's images from (EGRESS_ISTIO_HUB overrides).
	DefaultIstioHub = "docker.io/istio"
)

// IstioReleaseBaseURL serves the official istioctl release archives and their .sha256 files.
const IstioReleaseBaseURL = "https://github.com/istio/istio/releases/download"

func minorsOf(releases []string) []string {
	out := make([]string, len(releases))
	for i, r := range releases {
		out[i] = version.MustParse(r).MinorString()
	}
	return out
}

func patchesOf(releases []string) map[string]int {
	out := make(map[string]int, len(releases))
	for _, r := range releases {
		v := version.MustParse(r)
		out[v.MinorString()] = v.Patch
	}
	return out
}
