# shellcheck shell=bash
# Helpers shared by the lab's image scripts (sourced): root commands and Debian packages. The
# sourcing script defines log and die.

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
