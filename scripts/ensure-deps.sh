#!/usr/bin/env bash
# Installs what `make test` needs from Debian's packages (as root), and fails loudly when a
# layer's real component cannot be had. Docker must already answer: .ci/run starts it in CI
# (--no-docker: the packages only, for .ci/run --deps).
set -euo pipefail
check_docker=1
case ${1:-} in
"") ;;
--no-docker) check_docker=0 ;;
*) echo "ensure-deps.sh: unknown argument '$1' (use --no-docker or nothing)" >&2; exit 2 ;;
esac
need=()
command -v squid >/dev/null || [ -x /usr/sbin/squid ] || need+=(squid)
command -v curl >/dev/null || need+=(curl)
command -v debootstrap >/dev/null || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
command -v chromium >/dev/null || need+=(chromium)
command -v jq >/dev/null || need+=(jq)
command -v make >/dev/null || need+=(make)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "make test needs ${need[*]}: run as root or install them (apt-get install ${need[*]})" >&2; exit 1
  fi
  echo "installing ${need[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ $check_docker = 0 ]; then
  echo "deps: squid $(/usr/sbin/squid -v | sed -n 1p | awk '{print $4}'), $(curl --version | sed -n 1p | cut -d' ' -f1-2) (Docker not checked)"
  exit 0
fi
if ! docker info >/dev/null 2>&1; then
  echo "docker is not running: the L2 layer needs a Docker engine. Start it (bash .ci/docker-up.sh) or set DOCKER_HOST" >&2
  exit 1
fi
echo "deps: squid $(/usr/sbin/squid -v | sed -n 1p | awk '{print $4}'), $(curl --version | sed -n 1p | cut -d' ' -f1-2), docker $(docker version -f '{{.Server.Version}}')"
