# shellcheck shell=bash
# The suite's settings for a run on the offline lab (docs/lab.md), exported into the shell that
# sources this file: `source scripts/lab/env.sh` for a lab run (the Makefile's lab targets),
# `source scripts/lab/env.sh upgrade` for an upgrade lab run (make e2e-upgrade-lab). Every value
# comes from images.env (the fixture images) and node/versions.env (the node image and the lab's
# Istio builds), which scripts/lab/build-images.sh and scripts/lab/node/build-node-image.sh
# build; build-node-image.sh --print-env and --print-upgrade-env print what this file sets.
# EGRESS_KIND_CONFIG is relative to the repository's root.

egress_lab_env() { # [upgrade]
	local - dir cache
	case ${1:-} in
	"" | upgrade) ;;
	*)
		echo "scripts/lab/env.sh: unknown argument '$1' (none, or upgrade)" >&2
		return 2
		;;
	esac
	dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	set -a
	# shellcheck source=images.env
	. "$dir/images.env"
	set +a
	# versions.env's own variables (KUBERNETES_VERSION …) stay local to this function.
	# shellcheck disable=SC2046 # one word per variable name
	local $(sed -n 's/^\([A-Za-z_][A-Za-z0-9_]*\)=.*/\1/p' "$dir/node/versions.env")
	# shellcheck source=node/versions.env
	. "$dir/node/versions.env"
	cache=${EGRESS_LAB_CACHE:-/var/cache/egress-lab}/kind-node
	export EGRESS_KIND_NODE_IMAGE=${NODE_IMAGE:?} EGRESS_KIND_CONFIG=scripts/lab/node/kind-config.yaml
	# The lab's Istio: the locally built istioctl, istiod and proxy images; the proxy is upstream
	# Envoy, so istiod must not emit Istio's own filters.
	export EGRESS_ISTIOCTL=$cache/bin/istio/istioctl EGRESS_ISTIO_HUB=${ISTIO_LAB_HUB:?} EGRESS_ISTIO_UPSTREAM_ENVOY=true
	if [[ ${1:-} == upgrade ]]; then
		# Build A (the lab's Istio) upgraded to build B (scripts/lab/node/istio.sh). istio.version
		# is A's tag: an upgrade run reads each proxy's release from its image tag and from what
		# the proxy reports, both the tag (istio.tag must be unset in upgrade runs: not set here).
		# istio.upgradeTo is B's tag, with B's istioctl.
		export EGRESS_ISTIO_VERSION=${ISTIO_LAB_TAG:?} EGRESS_ISTIO_UPGRADE_TO=${ISTIO_UPGRADE_LAB_TAG:?} \
			EGRESS_ISTIO_UPGRADE_ISTIOCTL=$cache/bin/istio-upgrade/istioctl
	else
		export EGRESS_ISTIO_VERSION=${ISTIO_LAB_VERSION:?} EGRESS_ISTIO_TAG=${ISTIO_LAB_TAG:?}
	fi
}

egress_lab_env "$@" || { unset -f egress_lab_env; return 2; }
unset -f egress_lab_env
