// Helper module: the pod sandbox ("pause") program of the lab node image. No dependencies.
module egress-lab.local/kind-node/pause

go 1.26.0
