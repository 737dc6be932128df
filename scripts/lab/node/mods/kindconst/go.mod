// Helper module: prints a string constant of a Go source file (used to read kind's default
// storage manifest from the kind module at build time). No dependencies.
module egress-lab.local/kind-node/kindconst

go 1.26.0
