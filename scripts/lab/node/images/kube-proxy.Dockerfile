# kube-proxy (iptables mode) needs the netfilter tools next to its binary.
ARG BASE
FROM ${BASE}
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      iptables nftables conntrack ipset kmod; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*
COPY kube-proxy /usr/local/bin/kube-proxy
