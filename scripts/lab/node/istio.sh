# shellcheck shell=bash
# The lab's Istio builds, sourced by build-node-image.sh: istiod (pilot-discovery), istioctl
# and pilot-agent from one istio.io/istio module version, stamped the way Istio's release build
# stamps them (pkg/version), and the images istioctl installs: ISTIO_LAB_HUB/pilot:TAG and the
# proxy image of proxy.sh. Build A (ISTIO_MODULE_VERSION, ISTIO_LAB_TAG) is the lab's Istio;
# build B (ISTIO_UPGRADE_*, built by --upgrade) is the later one the upgrade lab moves to
# (make e2e-upgrade-lab). Each build's binaries and images report its own TAG, so every proxy
# and istiod shows which build it runs.
#
# Needs from build-node-image.sh: CACHE, HERE, MODS, LAB_BASE_IMAGE, ISTIO_LAB_HUB,
# build_bin/ensure_image/log/die, and proxy_image (proxy.sh).

# istio_build NAME MODDIR TAG COMMIT: $CACHE/bin/NAME/{pilot-discovery,istioctl} and
# $CACHE/bin/NAME-agent/pilot-agent from helper module MODDIR, each checked to report TAG.
istio_build() {
	local name=$1 dir=$2 tag=$3 commit=$4 iv="" kv got
	for kv in "buildVersion=${tag}" "buildGitRevision=${commit}" "buildStatus=Clean" \
		"buildTag=${tag}" "buildHub=${ISTIO_LAB_HUB}"; do
		iv+=" -X istio.io/istio/pkg/version.${kv}"
	done
	build_bin "$name" "$dir" "-s -w${iv}" istio.io/istio/pilot/cmd/pilot-discovery istio.io/istio/istioctl/cmd/istioctl
	# pilot-agent for the lab proxy image: same module, same stamps, the build tags Istio's
	# release build gives its agent binaries (Makefile.core.mk AGENT_TAGS in that module).
	BUILD_TAGS=agent,disable_pgv,grpcnotrace,retrynotrace \
		build_bin "${name}-agent" "$dir" "-s -w${iv}" istio.io/istio/pilot/cmd/pilot-agent
	got=$("$CACHE/bin/${name}/istioctl" version --remote=false --short 2>/dev/null | awk '{ print $NF }')
	[[ $got == "$tag" ]] || die "istioctl (${name}) reports version '${got}', want ${tag}"
	got=$("$CACHE/bin/${name}-agent/pilot-agent" version --short 2>/dev/null | awk '{ print $NF }')
	[[ $got == "$tag" ]] || die "pilot-agent (${name}) reports version '${got}', want ${tag}"
}

# istio_images NAME MODULE_VERSION TAG: istiod's image and the proxy image of build NAME under
# the hub/tag the suite's Istio settings name; the harness side-loads them into the nodes.
istio_images() {
	local name=$1 modver=$2 tag=$3
	ensure_image "${ISTIO_LAB_HUB}/pilot:${tag}" "$HERE/images/pilot.Dockerfile" "BASE=$LAB_BASE_IMAGE" \
		"$CACHE/bin/${name}/pilot-discovery"
	proxy_image "$name" "$modver" "$tag"
}

# load_upgrade_versions: build B's pins from versions.env (ISTIO_UPGRADE_*).
load_upgrade_versions() {
	local k
	for k in ISTIO_UPGRADE_MODULE_VERSION ISTIO_UPGRADE_LAB_TAG; do
		[[ -n ${!k:-} ]] || die "${HERE}/versions.env does not set ${k} (the upgrade lab's second Istio build)"
	done
	[[ $ISTIO_UPGRADE_MODULE_VERSION =~ ^v0\.0\.0-[0-9]{14}-([0-9a-f]{12})$ ]] ||
		die "ISTIO_UPGRADE_MODULE_VERSION=${ISTIO_UPGRADE_MODULE_VERSION} in ${HERE}/versions.env is not a pseudo-version v0.0.0-YYYYMMDDhhmmss-<12 hex>"
	ISTIO_UPGRADE_COMMIT=${BASH_REMATCH[1]}
	[[ $ISTIO_UPGRADE_LAB_TAG == *".${ISTIO_UPGRADE_COMMIT}" && $ISTIO_UPGRADE_LAB_TAG != "$ISTIO_LAB_TAG" ]] ||
		die "ISTIO_UPGRADE_LAB_TAG=${ISTIO_UPGRADE_LAB_TAG} in ${HERE}/versions.env must end in .${ISTIO_UPGRADE_COMMIT} (its commit) and differ from ISTIO_LAB_TAG, so every proxy shows which build it runs"
}

# istio_upgrade_build: build B (--upgrade): its helper module pinned, its binaries and images.
istio_upgrade_build() {
	local -a edits=()
	load_upgrade_versions
	read -ra edits <<<"${ISTIO_UPGRADE_MOD_EDITS:-}"
	step "pin helper module istio-upgrade (versions.env)"
	pin_module "$MODS/istio-upgrade" istio.io/istio "$ISTIO_UPGRADE_MODULE_VERSION" "${edits[@]}"
	step_done ok
	istio_build istio-upgrade "$MODS/istio-upgrade" "$ISTIO_UPGRADE_LAB_TAG" "$ISTIO_UPGRADE_COMMIT"
	istio_images istio-upgrade "$ISTIO_UPGRADE_MODULE_VERSION" "$ISTIO_UPGRADE_LAB_TAG"
}
