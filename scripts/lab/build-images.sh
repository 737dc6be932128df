#!/usr/bin/env bash
# Build the suite's fixture images locally, with no container registry at all.
#
#   egress-lab/debian:bookworm  debootstrap --variant=minbase + `docker import`
#   egress-lab/squid:5.7        FROM the base, Debian's squid   (forward proxy outside the cluster)
#   egress-lab/curl:7.88        FROM the base, Debian's curl    (client; default command `sleep infinity`)
#
# Nothing is pulled: the base comes from the apt mirror this machine already uses (read from
# /etc/apt/sources.list{,.d/*}; override with EGRESS_LAB_MIRROR=<url>), the other images are
# built with the legacy builder (`DOCKER_BUILDKIT=0`, BuildKit is not installed here).
#
# Idempotent: every image carries the label egress-lab.input-hash=<sha256 of its inputs>
# (script version, Debian suite, mirror, apt packages, Dockerfile text / base recipe, and the
# base image's hash). An image whose tag already has the expected label is not rebuilt.
#
# Usage:
#   scripts/lab/build-images.sh              build what is missing or stale
#   scripts/lab/build-images.sh --force      rebuild everything
#   scripts/lab/build-images.sh --print-env  print the EGRESS_IMAGE_* variables (same as images.env)
#
# Then point the suite at the images:  set -a; . scripts/lab/images.env; set +a
set -euo pipefail

# Bump when a change of this script must rebuild every image (the Dockerfiles and the base
# recipe are hashed by content anyway).
readonly SCRIPT_VERSION=1
readonly SUITE=bookworm
readonly VARIANT=minbase
readonly LABEL_KEY=egress-lab.input-hash

readonly BASE_TAG=egress-lab/debian:${SUITE}
readonly SQUID_TAG=egress-lab/squid:5.7
readonly CURL_TAG=egress-lab/curl:7.88
readonly SQUID_PACKAGES="squid"
readonly CURL_PACKAGES="curl ca-certificates"

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
readonly HERE
readonly ENV_FILE=$HERE/images.env

export DOCKER_BUILDKIT=0   # the legacy builder; BuildKit/buildx is absent on these machines

log() { printf 'build-images: %s\n' "$*" >&2; }
die() { printf '\nbuild-images: ERROR: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# The Dockerfiles. Their text is part of each image's input hash.

# apt_layer PACKAGES: the start both Dockerfiles share, the base image and a RUN that installs
# PACKAGES from Debian and keeps no package lists; each Dockerfile continues that RUN with its
# own checks.
apt_layer() {
	cat <<EOF
FROM ${BASE_TAG}
RUN set -eux; \\
    apt-get update; \\
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $1; \\
    apt-get clean; \\
    rm -rf /var/lib/apt/lists/*; \\
EOF
}

squid_dockerfile() {
	apt_layer "$SQUID_PACKAGES"
	cat <<EOF
    squid -v | grep -q 'Version 5\\.7'; \\
    install -d -o proxy -g proxy -m 0750 /var/log/squid /var/spool/squid; \\
    command -v cat
EXPOSE 3128
# SIGTERM makes squid wait shutdown_lifetime (30 s by default) for clients, longer than
# docker stop's 10 s grace; SIGINT shuts down at once.
STOPSIGNAL SIGINT
# The suite bind-mounts its own /etc/squid/squid.conf and reads /var/log/squid/access.log with cat.
CMD ["squid", "-N", "-f", "/etc/squid/squid.conf"]
EOF
}

curl_dockerfile() {
	apt_layer "$CURL_PACKAGES"
	cat <<EOF
    curl --version | grep -q '^curl 7\\.88\\.'
CMD ["sleep", "infinity"]
EOF
}

print_env() {
	cat <<EOF
# Local fixture images built by scripts/lab/build-images.sh (no registry needed).
# Use: set -a; . scripts/lab/images.env; set +a    (or: make's include + export)
EGRESS_IMAGE_SQUID=${SQUID_TAG}
EGRESS_IMAGE_CURL=${CURL_TAG}
EOF
}

# ---------------------------------------------------------------------------------------------
# Helpers

# shellcheck source=lib.sh
. "$HERE/lib.sh"


sha256() { sha256sum | cut -d' ' -f1; }

image_label() { # tag -> value of our label, or empty
	docker image inspect -f "{{ index .Config.Labels \"${LABEL_KEY}\" }}" "$1" 2>/dev/null || true
}

image_id() { docker image inspect -f '{{ .Id }}' "$1" 2>/dev/null || true; }

# After a rebuild the previous image is left untagged; remove it if nothing else uses it.
drop_old_image() { # old-id tag
	local old=$1 new
	new=$(image_id "$2")
	if [[ -n $old && $old != "$new" ]]; then
		docker image rm "$old" >/dev/null 2>&1 || true
	fi
}

# Every `deb` source of this host as "URI SUITE" lines (one-line and deb822 formats).
apt_sources() {
	local f
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -r $f ]] || continue
		# deb [options] URI SUITE COMPONENT...
		awk '$1 == "deb" {
			i = 2
			if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
			if (i + 1 <= NF) print $i, $(i + 1)
		}' "$f"
	done
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -r $f ]] || continue
		awk '
		function flush(   n, m, i, j, u, s) {
			if (types ~ /(^|[ \t])deb([ \t]|$)/ && enabled != "no") {
				n = split(uris, u, /[ \t]+/); m = split(suites, s, /[ \t]+/)
				for (i = 1; i <= n; i++) for (j = 1; j <= m; j++) if (u[i] != "" && s[j] != "") print u[i], s[j]
			}
			types = uris = suites = ""; enabled = "yes"
		}
		BEGIN { enabled = "yes" }
		/^[ \t]*#/ { next }
		/^[ \t]*$/ { flush(); next }
		/^[A-Za-z-]+:/ {
			key = tolower($0); sub(/:.*/, "", key)
			val = $0; sub(/^[^:]*:[ \t]*/, "", val)
			if (key == "types") types = val
			else if (key == "uris") uris = val
			else if (key == "suites") suites = val
			else if (key == "enabled") enabled = tolower(val)
		}
		END { flush() }' "$f"
	done
}

# The Debian archive mirror to debootstrap from: the host's source for $SUITE, else the host's
# main Debian archive (a URI ending in /debian) for whatever suite it runs.
pick_mirror() {
	if [[ -n ${EGRESS_LAB_MIRROR:-} ]]; then
		printf '%s\n' "${EGRESS_LAB_MIRROR%/}"
		return
	fi
	local sources uri
	sources=$(apt_sources | awk '$1 ~ /^(https?|ftp):\/\//')
	uri=$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$sources")
	[[ -n $uri ]] || uri=$(awk '$1 ~ /\/debian\/?$/ && $2 !~ /-/ { print $1; exit }' <<<"$sources")
	[[ -n $uri ]] || die "no Debian archive mirror found in /etc/apt/sources.list or /etc/apt/sources.list.d/
  (looked for a 'deb' source of suite '${SUITE}', or a URI ending in /debian).
  Set EGRESS_LAB_MIRROR=<url of a Debian archive mirror> and run again."
	printf '%s\n' "${uri%/}"
}

# Forward the caller's proxy settings to `docker build` (predefined build args: they do not end
# up in the image and are not part of the input hash).
proxy_build_args() {
	local v
	for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
		if [[ -n ${!v:-} ]]; then printf -- '--build-arg\n%s\n' "$v=${!v}"; fi
	done
}

# ---------------------------------------------------------------------------------------------
# Base image: debootstrap into a temporary directory, a few container tweaks, docker import.

ROOTFS=""
cleanup_rootfs() {
	[[ -n $ROOTFS && -d $ROOTFS ]] || return 0
	# debootstrap mounts proc/sys (and may bind /dev) inside the target; if it died half-way,
	# unmount first, and never let rm cross into another file system.
	local m
	awk -v d="$ROOTFS/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r |
		while read -r m; do as_root umount -l "$m" || true; done
	as_root rm -rf --one-file-system "$ROOTFS"
	ROOTFS=""
}
trap cleanup_rootfs EXIT

# The recipe of the base image. Its source text (declare -f) is part of the base's input hash.
make_base_rootfs() { # dir mirror logfile
	local dir=$1 mirror=$2 logf=$3
	if ! as_root debootstrap --variant="$VARIANT" --components=main "$SUITE" "$dir" "$mirror" >"$logf" 2>&1; then
		tail -n 25 "$logf" >&2
		[[ -f $dir/debootstrap/debootstrap.log ]] && tail -n 25 "$dir/debootstrap/debootstrap.log" >&2
		die "debootstrap of '${SUITE}' from ${mirror} failed (full log above: ${logf}).
  Check that the mirror is reachable (apt-get update works on this host) or set EGRESS_LAB_MIRROR."
	fi
	# What Debian's official container images do too: never start services from package
	# scripts during builds, no package caches or lists in the image, no host identity.
	# shellcheck disable=SC2016 # $1 is expanded by the inner sh
	as_root sh -eu -c '
		d=$1
		printf "#!/bin/sh\nexit 101\n" > "$d/usr/sbin/policy-rc.d"
		chmod 0755 "$d/usr/sbin/policy-rc.d"
		rm -rf "$d"/var/cache/apt/archives/*.deb "$d"/var/lib/apt/lists/* "$d"/var/log/*.log "$d/debootstrap"
		: > "$d/etc/resolv.conf"
		echo localhost > "$d/etc/hostname"
	' sh "$dir"
}

# install_deps: debootstrap and the keyring it verifies the mirror with, from Debian's
# packages when missing (--deps runs only this).
install_deps() {
	local -a need=()
	command -v debootstrap >/dev/null || [[ -x /usr/sbin/debootstrap ]] || need+=(debootstrap)
	[[ -r /usr/share/keyrings/debian-archive-keyring.gpg ]] || need+=(debian-archive-keyring)
	((${#need[@]} == 0)) || apt_install "${need[@]}"
}

build_base() { # hash mirror
	local hash=$1 mirror=$2 old logf
	install_deps
	old=$(image_id "$BASE_TAG")
	ROOTFS=$(mktemp -d "${TMPDIR:-/var/tmp}/egress-lab-rootfs.XXXXXX")
	logf=$(mktemp "${TMPDIR:-/tmp}/egress-lab-debootstrap.XXXXXX.log")
	log "debootstrap --variant=${VARIANT} ${SUITE} from ${mirror} (about a minute) ..."
	make_base_rootfs "$ROOTFS" "$mirror" "$logf"
	log "docker import -> ${BASE_TAG}"
	as_root tar --numeric-owner -C "$ROOTFS" -c . |
		docker import \
			--change "LABEL ${LABEL_KEY}=${hash}" \
			--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
			--change 'CMD ["bash"]' \
			- "$BASE_TAG" >/dev/null ||
		die "docker import of ${BASE_TAG} failed"
	cleanup_rootfs
	rm -f "$logf"
	drop_old_image "$old" "$BASE_TAG"
}

# ---------------------------------------------------------------------------------------------
# Derived images: the legacy builder, Dockerfile on stdin, no build context.

build_derived() { # tag hash dockerfile-text
	local tag=$1 hash=$2 dockerfile=$3 old logf
	old=$(image_id "$tag")
	logf=$(mktemp "${TMPDIR:-/tmp}/egress-lab-build.XXXXXX.log")
	local -a args=(--pull=false --force-rm --network host --label "${LABEL_KEY}=${hash}" -t "$tag")
	mapfile -t -O "${#args[@]}" args < <(proxy_build_args)
	log "docker build ${tag} ..."
	if ! printf '%s\n' "$dockerfile" | docker build "${args[@]}" - >"$logf" 2>&1; then
		# The legacy builder colours the RUN output; strip that before showing or matching it.
		sed -i 's/\x1b\[[0-9;]*m//g' "$logf"
		tail -n 30 "$logf" >&2
		# apt-get exits 100 on errors and prints them as "E: ..." lines.
		if grep -qE '^(E: |W: Failed to fetch|Err:)|returned a non-zero code: 100|Temporary failure resolving' "$logf"; then
			printf '\napt errors:\n' >&2
			grep -E '^(E|W|Err): ' "$logf" | sed 's/^/  /' >&2 || true
			die "apt inside the build of ${tag} failed (full log: ${logf}).
  The build uses the host network and the mirror in the base image's /etc/apt/sources.list:
  check that 'apt-get update' works on this host, or set EGRESS_LAB_MIRROR and rerun with --force."
		fi
		die "docker build of ${tag} failed (full log: ${logf})"
	fi
	rm -f "$logf"
	drop_old_image "$old" "$tag"
}

# ---------------------------------------------------------------------------------------------

ensure() { # kind tag hash [dockerfile]
	local kind=$1 tag=$2 hash=$3 start state
	start=$(now)
	if [[ ${FORCE:-0} != 1 && $(image_label "$tag") == "$hash" ]]; then
		state=cached
	else
		if [[ $kind == base ]]; then build_base "$hash" "$MIRROR"; else build_derived "$tag" "$hash" "$4"; fi
		state=built
	fi
	printf '%-7s %-28s %8s   %s=%.12s\n' "$state" "$tag" "$(elapsed "$start")" "$LABEL_KEY" "$hash"
}

write_env_file() {
	local want
	want=$(print_env)
	if [[ ! -f $ENV_FILE || $(<"$ENV_FILE") != "$want" ]]; then
		printf '%s\n' "$want" >"$ENV_FILE"
		log "wrote ${ENV_FILE}"
	fi
}

main() {
	FORCE=0
	case ${1:-} in
	"") ;;
	--print-env) print_env; exit 0 ;;
	--deps) install_deps; exit 0 ;;
	--force) FORCE=1 ;;
	-h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac

	command -v docker >/dev/null || die "the docker CLI is not installed: apt-get install docker.io"
	docker info >/dev/null 2>&1 || die "docker is not running: start dockerd or set DOCKER_HOST
  (on CI machines: bash .ci/docker-up.sh)"

	# One build at a time per machine; a second caller waits, then finds everything cached.
	exec 9>"${TMPDIR:-/tmp}/egress-lab-build-images.lock"
	flock -n 9 || { log "another build-images.sh is running; waiting for it ..."; flock 9; }

	MIRROR=$(pick_mirror)
	local total base_hash squid_df curl_df
	total=$(now)

	base_hash=$(printf '%s\n' "v${SCRIPT_VERSION}" "$SUITE" "$VARIANT" "$MIRROR" "$(declare -f make_base_rootfs)" | sha256)
	squid_df=$(squid_dockerfile)
	curl_df=$(curl_dockerfile)

	ensure base "$BASE_TAG" "$base_hash"
	ensure derived "$SQUID_TAG" "$(printf '%s\n' "v${SCRIPT_VERSION}" "$SUITE" "$base_hash" "$SQUID_PACKAGES" "$squid_df" | sha256)" "$squid_df"
	ensure derived "$CURL_TAG" "$(printf '%s\n' "v${SCRIPT_VERSION}" "$SUITE" "$base_hash" "$CURL_PACKAGES" "$curl_df" | sha256)" "$curl_df"

	write_env_file
	log "done in $(elapsed "$total") (mirror ${MIRROR}); images: ${BASE_TAG} ${SQUID_TAG} ${CURL_TAG}"
}

main "$@"
