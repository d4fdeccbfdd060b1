#!/usr/bin/env bash
# Runs the real kustomize CLI (the pinned one from tools/go.mod) on every
# example and compares its output with golden/examples/<name>.yaml; so
# must `novagen build` (the Argo CD plugin's generate) be.
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# novagen build's fallback runs a kustomize executable: the pinned one.
mkdir "$out/bin"
go build -modfile=tools/go.mod -o "$out/bin/kustomize" sigs.k8s.io/kustomize/kustomize/v5

n=0
failed=0
for dir in examples/*/; do
  name=$(basename "$dir")
  # shellcheck disable=SC2086 # $kustomize is a command line
  if ! $kustomize build --enable-alpha-plugins --enable-exec "$dir" >"$out/$name.yaml"; then
    echo "e2e: kustomize build $dir failed" >&2
    failed=$((failed + 1))
    continue
  fi
  if ! diff -u "golden/examples/$name.yaml" "$out/$name.yaml"; then
    echo "e2e: $dir differs from golden/examples/$name.yaml (make golden, then review)" >&2
    failed=$((failed + 1))
  fi
  # The Argo CD plugin's generate: the same bytes, directly or through the
  # same kustomize (--explain says which on stderr).
  if ! novagen build --explain --kustomize "$out/bin/kustomize" "$dir" >"$out/$name.build.yaml" ||
    ! diff -u "golden/examples/$name.yaml" "$out/$name.build.yaml"; then
    echo "e2e: novagen build $dir differs from golden/examples/$name.yaml" >&2
    failed=$((failed + 1))
  fi
  n=$((n + 1))
done
echo "e2e: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
