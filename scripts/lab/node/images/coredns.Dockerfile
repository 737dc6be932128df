# registry.k8s.io/coredns/coredns: static CoreDNS, as in the upstream image.
FROM scratch
COPY coredns /coredns
EXPOSE 53 53/udp
ENTRYPOINT ["/coredns"]
