// Helper module: builds local-path-provisioner for kind's default StorageClass.
// The requirement is written by ../../build-node-image.sh from ../../versions.env.
module egress-lab.local/kind-node/local-path-provisioner

go 1.26.0

tool github.com/rancher/local-path-provisioner

require github.com/rancher/local-path-provisioner v0.0.30
