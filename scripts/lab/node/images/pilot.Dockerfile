# istiod (pilot-discovery) as Istio's own pilot image runs it (pilot/docker/Dockerfile.pilot):
# one static binary, user 1337, the binary as entrypoint; the lab's Debian base instead of
# Istio's distroless base, which no registry here can serve.
ARG BASE
FROM ${BASE}
COPY pilot-discovery /usr/local/bin/pilot-discovery
USER 1337:1337
ENTRYPOINT ["/usr/local/bin/pilot-discovery"]
