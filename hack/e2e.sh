#!/usr/bin/env bash
# Runs the real kustomize CLI (the pinned one from tools/go.mod) on every
# example and compares its output with golden/examples/<name>.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

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
  n=$((n + 1))
done
echo "e2e: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
