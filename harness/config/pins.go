package config

// This file is the one place where versions and images are pinned. Every value can be
// overridden (YAML file, EGRESS_* environment variable or -egress.* flag; see settings.go).
// Images are pinned as tag@sha256 so a moved tag cannot change what a signed run tested.
// Tool versions (ginkgo, kind, actionlint) are pinned in go.mod's tool directives.

// DefaultIstioVersion is the Istio release the suite installs unless told otherwise.
const DefaultIstioVersion = "1.31.1"

// SupportedIstioMinors are the minors the suite is maintained for (the last three).
var SupportedIstioMinors = []string{"1.29", "1.30", "1.31"}

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

// NewestKnownIstioPatch is the newest patch release of a supported minor that the suite knows
// of (the Istio API modules published for it: istio.io/api v1.30.8, v1.31.4 on 2026-12-01).
// A later patch of that minor is refused unless its istioctl is given, because the release
// archive to download cannot exist yet (1.31.999 is a typo, not a release). A minor missing
// here has no such bound.
var NewestKnownIstioPatch = map[string]int{"1.30": 8, "1.31": 4}
