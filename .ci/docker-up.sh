#!/usr/bin/env bash
# Make sure a Docker daemon answers, for CI machines where nothing starts one (PID 1 is not
# systemd) and where privileged containers need help. Callable alone: bash .ci/docker-up.sh
# (--deps: install the packages only, start nothing).
#
# 1. If `docker info` fails: install Debian's docker.io (+ iptables) when dockerd is missing,
#    start dockerd in the background (log: $EGRESS_CI_STATE_DIR/dockerd.log) and wait up to
#    $EGRESS_DOCKERD_WAIT (60) seconds for it to answer.
# 2. Only if this host's capability bounding set lacks CAP_SYS_RESOURCE (CapBnd bit 24 in
#    /proc/self/status): dockerd must use .ci/runc-nosysresource as its default runtime, or
#    every --privileged container (kind nodes are) fails with "unable to apply caps: operation
#    not permitted" (see the header of that file). A dockerd we start gets it through
#    --config-file $EGRESS_CI_STATE_DIR/daemon.json (= /etc/docker/daemon.json, if any, plus
#    the runtime). A dockerd found running without it is restarted with it only when that is
#    safe, i.e. all of:
#      - this is a CI run: CI=true (set by CI systems), or EGRESS_DOCKERD_RESTART=1;
#        EGRESS_DOCKERD_RESTART=0 never restarts;
#      - the daemon is local: its socket is a unix socket served by a dockerd process visible
#        here (not a remote DOCKER_HOST, not a daemon of another PID namespace);
#      - it is not managed by systemd (docker.service) and its command line sets no runtime;
#      - no container is running or paused (a restart would stop them).
#    The restarted dockerd keeps the original command line and environment; if it does not
#    come up with the wrapper, the original one is started again. Otherwise: a warning only.
#
# Environment: EGRESS_CI_STATE_DIR (default /var/tmp/egress-ci: log, daemon.json, a copy of
# the wrapper, so it outlives this checkout), EGRESS_DOCKERD_WAIT, EGRESS_DOCKERD_RESTART,
# EGRESS_DOCKERD_ARGS (extra dockerd flags for a daemon started here), DOCKER_HOST.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CI_TAG=docker-up
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "$HERE/lib.sh"

readonly RUNTIME_NAME=runc-nosysres
readonly STATE_DIR=${EGRESS_CI_STATE_DIR:-/var/tmp/egress-ci}
readonly WAIT_SECONDS=${EGRESS_DOCKERD_WAIT:-60}
readonly LOG=$STATE_DIR/dockerd.log
readonly CONFIG=$STATE_DIR/daemon.json
readonly WRAPPER=$STATE_DIR/runc-nosysresource
readonly PROBE_IMAGE=${EGRESS_PROBE_IMAGE:-egress-lab/debian:bookworm}

# ---------------------------------------------------------------------------------------------
# Facts about this host and its daemon

host_lacks_sys_resource() {
	local bnd
	bnd=$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)
	(((16#$bnd >> 24 & 1) == 0))
}

docker_answers() { docker info >/dev/null 2>&1; }

daemon_wrapped() { [[ $(docker info --format '{{ .DefaultRuntime }}' 2>/dev/null) == "$RUNTIME_NAME" ]]; }

# Path of the unix socket the docker CLI talks to; fails for tcp://, ssh://, ...
docker_socket() {
	local host=${DOCKER_HOST:-}
	[[ -n $host ]] || host=$(docker context inspect --format '{{ .Endpoints.docker.Host }}' 2>/dev/null || true)
	[[ -n $host ]] || host=unix:///var/run/docker.sock
	[[ $host == unix://* ]] || return 1
	printf '%s\n' "${host#unix://}"
}

# PID of the local dockerd process that serves socket $1 (from /proc/*/cmdline: -H/--host).
find_dockerd_pid() {
	local want p h j
	local -a args hosts
	want=$(readlink -m "$1")
	for p in /proc/[0-9]*; do
		[[ $(cat "$p/comm" 2>/dev/null) == dockerd ]] || continue
		mapfile -d '' -t args <"$p/cmdline" 2>/dev/null || continue
		hosts=()
		for ((j = 1; j < ${#args[@]}; j++)); do
			case ${args[j]} in
			-H | --host) hosts+=("${args[j + 1]:-}") ;;
			-H=* | --host=*) hosts+=("${args[j]#*=}") ;;
			-H?*) hosts+=("${args[j]#-H}") ;;
			esac
		done
		((${#hosts[@]})) || hosts=(unix:///var/run/docker.sock)
		for h in "${hosts[@]}"; do
			[[ $h == fd://* ]] && h=unix:///var/run/docker.sock # systemd socket activation
			if [[ $h == unix://* && $(readlink -m "${h#unix://}") == "$want" ]]; then
				printf '%s\n' "${p#/proc/}"
				return 0
			fi
		done
	done
	return 1
}

# ---------------------------------------------------------------------------------------------
# Starting dockerd

# daemon.json for the wrapper = base config ($1, if readable) + our runtime as the default.
write_wrapper_config() {
	local base='{}'
	command -v jq >/dev/null || apt_install jq
	as_root install -d -m 0755 "$STATE_DIR"
	as_root install -m 0755 "$HERE/runc-nosysresource" "$WRAPPER"
	if [[ -n ${1:-} ]] && as_root test -s "$1"; then
		base=$(as_root cat "$1")
		say "daemon config: $1 + the ${RUNTIME_NAME} runtime -> ${CONFIG}"
	fi
	jq --arg name "$RUNTIME_NAME" --arg path "$WRAPPER" \
		'. + {runtimes: ((.runtimes // {}) + {($name): {path: $path}}), "default-runtime": $name}' \
		<<<"$base" | as_root tee "$CONFIG.tmp" >/dev/null || die "cannot write ${CONFIG} (is $1 valid JSON?)"
	as_root mv -f "$CONFIG.tmp" "$CONFIG"
}

# Start a command (dockerd ...) detached from this script, its output appended to $LOG.
LAUNCHED_PID=""
launch() {
	as_root install -d -m 0755 "$STATE_DIR"
	{
		printf '\n==== %s: starting' "$(date -Is)"
		printf ' %q' "$@"
		printf '\n'
	} | as_root tee -a "$LOG" >/dev/null
	local -a sudo=()
	[[ $EUID -eq 0 ]] || sudo=(sudo -n)
	# The daemon must not inherit this script's lock (fd 8) or its stdout/stderr.
	# shellcheck disable=SC2016 # expanded by the inner sh
	"${sudo[@]}" setsid sh -c 'log=$1; shift; exec "$@" >>"$log" 2>&1 </dev/null' sh "$LOG" "$@" \
		</dev/null >/dev/null 2>&1 8>&- &
	LAUNCHED_PID=$! # dockerd itself when root (setsid and sh exec it), else sudo
}

# Poll `docker info` until it answers; fail early if the launched process died.
wait_for_docker() {
	local deadline=$((SECONDS + WAIT_SECONDS))
	while ((SECONDS < deadline)); do
		docker_answers && return 0
		if [[ -n $LAUNCHED_PID && ! -d /proc/$LAUNCHED_PID ]]; then
			say "dockerd exited during start-up"
			return 1
		fi
		sleep 1
	done
	say "dockerd did not answer within ${WAIT_SECONDS}s"
	return 1
}

# The end of the log of the last start (from its "==== ... starting" line on).
log_tail() {
	printf -- '---- %s (last start) ----\n' "$LOG" >&2
	# shellcheck disable=SC2016 # awk program
	as_root awk '/^==== / { n = 0 } { l[n++] = $0 } END { for (i = (n > 30 ? n - 30 : 0); i < n; i++) print l[i] }' "$LOG" >&2 || true
	printf -- '----\n' >&2
}

start_dockerd() { # socket
	local sock=$1
	local -a cmd=(dockerd) extra=()
	[[ $(readlink -m "$sock") == /run/docker.sock ]] || cmd+=(-H "unix://$sock")
	[[ $EUID -eq 0 ]] || cmd+=(--group "$(id -gn)") # let this (non-root) user use the socket
	read -ra extra <<<"${EGRESS_DOCKERD_ARGS:-}"
	cmd+=("${extra[@]}")
	if host_lacks_sys_resource; then
		write_wrapper_config /etc/docker/daemon.json
		cmd+=(--config-file "$CONFIG")
	fi
	say "starting dockerd (log: ${LOG})"
	launch "${cmd[@]}"
	wait_for_docker || {
		log_tail
		die "dockerd did not come up (full log: ${LOG})"
	}
}

ensure_daemon() {
	local err sock pid
	docker_answers && return 0
	err=$(docker info 2>&1 >/dev/null || true)
	if [[ $err == *"permission denied"* ]]; then
		die "the docker daemon runs, but user $(id -un) may not use its socket: run as root or add the user to the 'docker' group ($err)"
	fi
	sock=$(docker_socket) ||
		die "DOCKER_HOST=${DOCKER_HOST} does not answer and is not a local unix socket, so no daemon is started for it: ${err}"
	if pid=$(find_dockerd_pid "$sock"); then
		say "dockerd (pid ${pid}) serves ${sock} but does not answer yet; waiting up to ${WAIT_SECONDS}s"
		LAUNCHED_PID=$pid
		wait_for_docker || die "dockerd pid ${pid} does not answer on ${sock}; look at its log"
		return 0
	fi
	if install_docker; then
		docker_answers && return 0 # a package script may have started it
	fi
	start_dockerd "$sock"
}

# ---------------------------------------------------------------------------------------------
# A running dockerd without the wrapper

# SIGTERM, then wait up to 30 s for the process to be gone.
stop_pid() {
	local pid=$1 i
	as_root kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 60; i++)); do
		[[ -d /proc/$pid ]] || return 0
		sleep 0.5
	done
	return 1
}

restart_with_wrapper() { # pid socket
	local pid=$1 sock=$2 i new base_cfg=/etc/docker/daemon.json
	local -a orig env args=()
	mapfile -d '' -t orig </proc/"$pid"/cmdline
	mapfile -d '' -t env < <(as_root cat /proc/"$pid"/environ)
	# Keep the original command line, but our --config-file (merged from theirs) replaces theirs.
	for ((i = 0; i < ${#orig[@]}; i++)); do
		case ${orig[i]} in
		--config-file) base_cfg=${orig[i + 1]:-}; i=$((i + 1)) ;;
		--config-file=*) base_cfg=${orig[i]#*=} ;;
		*) args+=("${orig[i]}") ;;
		esac
	done
	write_wrapper_config "$base_cfg"

	say "restarting dockerd pid ${pid} with the ${RUNTIME_NAME} runtime (its output now goes to ${LOG})"
	stop_pid "$pid" || die "dockerd pid ${pid} did not stop within 30s after SIGTERM; nothing else was changed"

	launch env -i "${env[@]}" "${args[@]}" --config-file "$CONFIG"
	if wait_for_docker && daemon_wrapped; then
		say "dockerd restarted with default runtime ${RUNTIME_NAME}"
		return 0
	fi
	log_tail
	warn "dockerd did not come up with the wrapper; starting it again as it was"
	if new=$(find_dockerd_pid "$sock"); then stop_pid "$new" || true; fi
	launch env -i "${env[@]}" "${orig[@]}"
	if wait_for_docker; then
		die "could not restart dockerd with the ${RUNTIME_NAME} runtime; it runs again as before, without it (log: ${LOG})"
	fi
	log_tail
	die "could not restart dockerd with the ${RUNTIME_NAME} runtime, and the original did not come back either (log: ${LOG}); start it by hand"
}

fix_unwrapped_daemon() {
	local sock="" pid="" running policy=${EGRESS_DOCKERD_RESTART:-auto}
	local -a why=()
	case $policy in
	auto) is_true "${CI:-}" || why+=("this is not a CI run (CI is not true; EGRESS_DOCKERD_RESTART=1 allows it)") ;;
	*) is_true "$policy" || why+=("EGRESS_DOCKERD_RESTART=${policy}") ;;
	esac
	if ! sock=$(docker_socket); then
		why+=("the daemon is remote (DOCKER_HOST=${DOCKER_HOST:-})")
	elif ! pid=$(find_dockerd_pid "$sock"); then
		why+=("no dockerd process serving ${sock} is visible here (remote or another PID namespace)")
	else
		if grep -q 'docker\.service' /proc/"$pid"/cgroup 2>/dev/null; then
			why+=("dockerd pid ${pid} is managed by systemd (docker.service)")
		fi
		if tr '\0' '\n' </proc/"$pid"/cmdline | grep -qE '^--(default-runtime|add-runtime)'; then
			why+=("dockerd pid ${pid} sets runtimes on its command line")
		fi
	fi
	running=$(docker ps -q | wc -l)
	((running == 0)) || why+=("${running} container(s) are running")

	if ((${#why[@]} == 0)); then
		restart_with_wrapper "$pid" "$sock"
		return
	fi
	# Prepare the config for a manual restart when that needs nothing new (root, jq present).
	if [[ $EUID -eq 0 ]] && command -v jq >/dev/null; then write_wrapper_config /etc/docker/daemon.json; fi
	warn "dockerd runs without the ${RUNTIME_NAME} runtime, and this host's capability bounding set
  lacks CAP_SYS_RESOURCE: --privileged containers (kind nodes) will fail with
  'unable to apply caps: operation not permitted'. Not restarting dockerd, because:"
	printf '    - %s\n' "${why[@]}" >&2
	printf '  To fix it by hand: restart dockerd with --config-file %s\n  (add your own settings to that file), or allow this script to (see its header).\n' "$CONFIG" >&2
}

# A real --privileged container, if a local image is at hand (nothing is ever pulled).
probe_privileged() {
	local name out
	docker image inspect "$PROBE_IMAGE" >/dev/null 2>&1 || {
		say "no local ${PROBE_IMAGE} yet: privileged probe skipped"
		return 0
	}
	name=egress-ci-privprobe-$$-$RANDOM
	if out=$(docker run --rm --name "$name" --privileged --network none "$PROBE_IMAGE" true 2>&1); then
		say "privileged probe (docker run --privileged ${PROBE_IMAGE} true): ok"
	else
		warn "privileged probe failed: ${out}"
	fi
	docker rm -f "$name" >/dev/null 2>&1 || true
}

# install_docker: Debian's docker.io and iptables when missing; true when it installed them.
install_docker() {
	local -a missing=()
	command -v docker >/dev/null || missing+=(docker.io)
	command -v dockerd >/dev/null || missing+=(docker.io)
	command -v iptables >/dev/null || missing+=(iptables)
	((${#missing[@]})) || return 1
	mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
	apt_install "${missing[@]}"
}

main() {
	case ${1:-} in
	"") ;;
	--deps) # the packages only, nothing started (.ci/run --deps)
		install_docker || true
		command -v jq >/dev/null || apt_install jq
		exit 0 ;;
	-h | --help) sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	*) die "unknown argument '$1' (try --help)" ;;
	esac
	local start
	start=$(now)
	# One instance at a time on a machine (two CI jobs must not both start a dockerd).
	exec 8>"${TMPDIR:-/tmp}/egress-ci-docker-up.lock"
	flock 8
	ensure_daemon
	if host_lacks_sys_resource; then
		if daemon_wrapped; then
			say "dockerd uses the ${RUNTIME_NAME} runtime (host lacks CAP_SYS_RESOURCE)"
		else
			fix_unwrapped_daemon
		fi
		probe_privileged
	else
		say "host has CAP_SYS_RESOURCE: no runtime wrapper needed"
	fi
	say "docker ready: server $(docker info --format '{{ .ServerVersion }}, default runtime {{ .DefaultRuntime }}') ($(elapsed "$start"))"
}

main "$@"
