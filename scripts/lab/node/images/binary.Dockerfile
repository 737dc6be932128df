# A control-plane component image (kube-apiserver, kube-controller-manager, kube-scheduler,
# etcd, local-path-provisioner): the lab's Debian base plus one static binary on PATH.
ARG BASE
FROM ${BASE}
ARG BINARY
COPY ${BINARY} /usr/local/bin/${BINARY}
