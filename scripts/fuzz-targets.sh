#!/usr/bin/env bash
# Prints "package:FuzzTarget" for every fuzz target in the module (read by `make fuzz`).
set -euo pipefail
grep -rl --include='*_test.go' '^func Fuzz' . | while read -r f; do
  pkg="./$(dirname "${f#./}")"
  grep -o '^func Fuzz[A-Za-z0-9_]*' "$f" | sed 's/^func //' | while read -r t; do echo "$pkg:$t"; done
done
