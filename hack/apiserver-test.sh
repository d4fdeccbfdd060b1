#!/usr/bin/env bash
# Builds every example with the real kustomize and applies each object to a
# real kube-apiserver with server-side dry run (test/apiserver).
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
manifests=$(mktemp -d)
trap 'rm -rf "$manifests"' EXIT
for dir in examples/*/; do
  # shellcheck disable=SC2086 # $kustomize is a command line
  $kustomize build --enable-alpha-plugins --enable-exec "$dir" >"$manifests/$(basename "$dir").yaml"
done
test/apiserver/run.sh "$manifests"
