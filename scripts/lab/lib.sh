# shellcheck shell=bash
# Helpers shared by the lab's image scripts and .ci/ (sourced): step timing, root commands and
# Debian packages. The sourcing script defines log and die.

# now: the time, in seconds; elapsed START: the time since START (from now), as "12.3s".
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }

# as_root CMD...: run a command as root, directly or through passwordless sudo.
as_root() {
	if [[ $EUID -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo -n "$@"
	else
		die "'$1' needs root: run this script as root (or with passwordless sudo)"
	fi
}

# apt_install PKG...: install Debian packages a script needs (apt-get update first).
apt_install() {
	log "installing $* from Debian's packages"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null &&
		as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null ||
		die "cannot install $*: install them yourself (apt-get install $*)"
}
