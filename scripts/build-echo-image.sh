#!/usr/bin/env bash
# Builds the recording httpbin image (fixtures/outside/echo) from this module's source:
# a static Go binary in an otherwise empty image, made with `docker import` so no base image,
# registry or BuildKit is needed. Rebuilt only when the binary changes (hash in a label).
set -euo pipefail
ref="${EGRESS_IMAGE_ECHO:-egress-conformance/echo:v2.26.0-1}"
out="${OUT:-_out/images/echo}"
mkdir -p "$out"
# One build at a time (make test runs lanes side by side that all need the image).
exec 9>"$out/.lock"
flock 9
docker info >/dev/null 2>&1 || { echo "docker is not running: start it or set DOCKER_HOST" >&2; exit 1; }
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$out/egress-echo" ./fixtures/outside/echo/cmd/egress-echo
hash=$(sha256sum "$out/egress-echo" | cut -d' ' -f1)
have=$(docker image inspect -f '{{ index .Config.Labels "egress-conformance.input-hash" }}' "$ref" 2>/dev/null || true)
if [ "$have" = "$hash" ]; then
  echo "echo image $ref: cached"
  exit 0
fi
old=$(docker image inspect -f '{{.Id}}' "$ref" 2>/dev/null || true)
tar -C "$out" -c egress-echo | docker import \
  --change 'ENTRYPOINT ["/egress-echo"]' \
  --change "LABEL egress-conformance.input-hash=$hash" \
  --change 'EXPOSE 80 443' - "$ref" >/dev/null
# The previous build is now untagged: remove it unless a container still uses it.
if [ -n "$old" ]; then docker image rm "$old" >/dev/null 2>&1 || true; fi
echo "echo image $ref: built"
