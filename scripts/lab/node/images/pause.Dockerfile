# The pod sandbox image (registry.k8s.io/pause tags): ../mods/pause, static.
FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT ["/pause"]
