# shellcheck shell=bash
# Small helpers shared by .ci/run and .ci/docker-up.sh (sourced, not run).

say() { printf '%s: %s\n' "${CI_TAG:-ci}" "$*" >&2; }
warn() { printf '%s: WARNING: %s\n' "${CI_TAG:-ci}" "$*" >&2; }
die() {
	printf '%s: ERROR: %s\n' "${CI_TAG:-ci}" "$*" >&2
	exit 1
}

# now, elapsed, as_root and apt_install: the lab scripts' own (scripts/lab/lib.sh), which log
# through log().
log() { say "$@"; }
# shellcheck source=../scripts/lab/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/../scripts/lab/lib.sh"

is_true() { [[ ${1:-} =~ ^(1|[Tt]rue|TRUE|[Yy]es|YES|on)$ ]]; }
