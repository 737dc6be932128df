// Package repo holds the tests of the repository's own files that belong to no package: the
// Makefile's documented targets and its generated help.
package repo
