# shellcheck shell=bash
# Small helpers shared by .ci/run and .ci/docker-up.sh (sourced, not run).

say() { printf '%s: %s\n' "${CI_TAG:-ci}" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "${CI_TAG:-ci}" "$*" >&2; }
die() {
	printf '%s: ERROR: %s\n' "${CI_TAG:-ci}" "$*" >&2
	exit 1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# Run a command as root: directly, or through passwordless sudo.
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "'$1' needs root: run as root or give this user passwordless sudo"
	fi
}

# Install Debian packages (apt-get update first, no prompts, no recommends).
apt_install() {
	command -v apt-get >/dev/null || die "cannot install $* here (no apt-get): install them yourself"
	say "installing Debian packages: $*"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null ||
		die "apt-get update failed (needed to install $*)"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
		die "apt-get install $* failed"
}

is_true() { [[ ${1:-} =~ ^(1|[Tt]rue|TRUE|[Yy]es|YES|on)$ ]]; }
