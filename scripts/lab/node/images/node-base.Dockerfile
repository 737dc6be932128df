# The lab's kind node base image: kind's base image recipe (sigs.k8s.io/kind images/base),
# with the container runtime from Debian packages instead of binaries built from git, and no
# registry anywhere. Built by ../build-node-image.sh; the build context holds
#   kind-files/  kind's images/base/files, copied from the kind module in the Go module cache
#   lab-files/   ../files (the static bridge CNI config)
ARG BASE
FROM ${BASE}

# kind's package list, plus the runtime (containerd 1.6, runc 1.1, CNI plugins 1.1 from
# Debian bookworm) and a few tools for debugging inside the node.
RUN set -eux; \
    apt-get update; \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      systemd \
      conntrack iptables nftables iproute2 ethtool util-linux mount kmod \
      libseccomp2 pigz fuse-overlayfs \
      e2fsprogs \
      bash ca-certificates curl jq procps socat \
      containerd runc containernetworking-plugins \
      iputils-ping dnsutils; \
    apt-get clean; \
    rm -rf /var/lib/apt/lists/*

COPY kind-files/ /
COPY lab-files/ /

# - kind's systemd clean-up (no services but ours; no kmsg in the journal);
# - containerd where kind's unit expects it, CNI plugins where containerd looks for them;
# - restrict_oom_score_adj = true: the node container lacks CAP_SYS_RESOURCE on hosts whose
#   bounding set lacks it, so runc could not set negative oom_score_adj (kind flips the same
#   switch for rootless nodes); harmless elsewhere;
# - cri-base.json exactly as kind makes it (product_uuid hook, no rlimits).
RUN set -eux; \
    chmod 0755 /kind /kind/bin; \
    find /lib/systemd/system/sysinit.target.wants/ -name systemd-tmpfiles-setup.service -delete; \
    rm -f /lib/systemd/system/multi-user.target.wants/* \
          /etc/systemd/system/*.wants/* \
          /lib/systemd/system/local-fs.target.wants/* \
          /lib/systemd/system/sockets.target.wants/*udev* \
          /lib/systemd/system/sockets.target.wants/*initctl* \
          /lib/systemd/system/basic.target.wants/*; \
    echo "ReadKMsg=no" >> /etc/systemd/journald.conf; \
    ln -sf /usr/lib/systemd/systemd /sbin/init; \
    ln -sf /usr/bin/containerd /usr/local/bin/containerd; \
    mkdir -p /opt/cni/bin; \
    cp -a /usr/lib/cni/. /opt/cni/bin/; \
    sed -i 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' /etc/containerd/config.toml; \
    grep -q '^ *restrict_oom_score_adj = true' /etc/containerd/config.toml; \
    ctr oci spec \
      | jq '.hooks.createContainer[.hooks.createContainer | length] |= . + {"path": "/kind/bin/mount-product-files.sh"}' \
      | jq 'del(.process.rlimits)' > /etc/containerd/cri-base.json; \
    systemctl enable kubelet.service containerd.service undo-mount-hacks.service; \
    systemctl mask systemd-binfmt.service; \
    mkdir -p /etc/kubernetes/manifests; \
    containerd --version; runc --version; ls /opt/cni/bin

ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
