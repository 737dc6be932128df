#!/usr/bin/env bash
# Runs the tests of the given packages like `go test -count=1`, from test binaries kept under
# _out/testbin/<tags>/. `go test` links every package's test binary again on every run (~1 s
# each on 2 cores: ~20 s of `make unit` with nothing changed); `go test -c -o DIR/` leaves a
# binary alone when the one already there was built from the same inputs (its build ID), so a
# warm run only runs the tests. Every test still runs every time (-test.count=1).
#
# usage: scripts/gotest.sh [-tags T] [-p N] [-v] [-timeout D] [-run REGEXP] PKG...
# Prints "ok  PKG  TIME" per package (with the output when -v or when it failed) and exits
# non-zero when any package failed or did not build.
set -euo pipefail

tags="" jobs=2 verbose=0 timeout=10m run=""
while [[ $# -gt 0 ]]; do
	case $1 in
	-tags) tags=$2; shift 2 ;;
	-p) jobs=$2; shift 2 ;;
	-v) verbose=1; shift ;;
	-timeout) timeout=$2; shift 2 ;;
	-run) run=$2; shift 2 ;;
	-*) echo "gotest.sh: unknown flag $1 (usage: scripts/gotest.sh [-tags T] [-p N] [-v] [-timeout D] [-run REGEXP] PKG...)" >&2; exit 2 ;;
	*) break ;;
	esac
done
[[ $# -gt 0 ]] || { echo "gotest.sh: no packages given" >&2; exit 2; }

repo=$(cd "$(dirname "$0")/.." && pwd)
bindir=$repo/_out/testbin/${tags:-untagged}
logdir=$(mktemp -d "${TMPDIR:-/tmp}/gotest.XXXXXX")
trap 'rm -rf "$logdir"' EXIT
mkdir -p "$bindir"

# One binary per package with tests, named after the last element of its import path (go
# refuses two with the same name, which this module avoids).
go test -c ${tags:+-tags "$tags"} -o "$bindir/" "$@"
mapfile -t pkgs < <(go list ${tags:+-tags "$tags"} -f '{{if or .TestGoFiles .XTestGoFiles}}{{.ImportPath}} {{.Dir}}{{end}}' "$@")

run_one() { # IMPORTPATH DIR: runs the package's binary in its directory, as go test does
	local ip=$1 dir=$2 bin log start rc=0
	bin=$bindir/${ip##*/}.test
	log=$logdir/$(echo "$ip" | tr / _).log
	start=$EPOCHREALTIME
	local -a cmd=("$bin" -test.paniconexit0 -test.count=1 -test.timeout="$timeout" -test.v="$([[ $verbose == 1 ]] && echo true || echo false)" ${run:+-test.run "$run"})
	if [[ $jobs == 1 && $verbose == 1 ]]; then
		# One at a time: the output streams as it comes (long L2/L3 runs show progress).
		(cd "$dir" && "${cmd[@]}") 2>&1 | tee "$log" || rc=$?
	else
		(cd "$dir" && "${cmd[@]}") >"$log" 2>&1 || rc=$?
	fi
	local took
	took=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.3fs", b - a }')
	if [[ $rc == 0 ]]; then
		if [[ $verbose == 1 && $jobs != 1 ]]; then cat "$log"; fi
		printf 'ok  \t%s\t%s\n' "$ip" "$took"
	else
		if ! [[ $jobs == 1 && $verbose == 1 ]]; then cat "$log"; fi
		printf 'FAIL\t%s\t%s (exit %d)\n' "$ip" "$took" "$rc"
		touch "$logdir/failed"
	fi
}

for entry in "${pkgs[@]}"; do
	while (($(jobs -rp | wc -l) >= jobs)); do wait -n || true; done
	run_one ${entry} &
done
wait
if [[ -e $logdir/failed ]]; then
	echo "FAIL (scripts/gotest.sh ${tags:+-tags $tags} $*)"
	exit 1
fi
