#!/usr/bin/env bash
# examples/custom-generator is a Go module of its own: novagen plus one
# generator (team-quota), as a team would build it. This builds its
# novagen into a temporary directory, runs its tests, puts it first on
# PATH (where kustomize finds the function, as it finds novagen's own)
# and checks that the real kustomize (the pinned one, KUSTOMIZE) and its
# `novagen build` both render the example as
# golden/examples/custom-generator.yaml says. UPDATE_GOLDEN=1 rewrites
# that file instead (review the diff).
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
example=examples/custom-generator
want=golden/examples/custom-generator.yaml
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# Its own module, go.sum and all: built and tested as its owners would.
(cd "$example" && go build -o "$out/bin/novagen" . && go vet . && go test .)
export PATH="$out/bin:$PATH"

# shellcheck disable=SC2086 # $kustomize is a command line
$kustomize build --enable-alpha-plugins --enable-exec "$example" >"$out/kustomize.yaml"
if [ -n "${UPDATE_GOLDEN:-}" ]; then
  cp "$out/kustomize.yaml" "$want"
  echo "custom-generator: wrote $want"
  exit 0
fi
failed=0
if ! diff -u "$want" "$out/kustomize.yaml"; then
  echo "custom-generator: kustomize build $example differs from $want (UPDATE_GOLDEN=1 make custom-generator-e2e, then review)" >&2
  failed=1
fi
# The Argo CD plugin's generate, by the example's own novagen.
if ! novagen build --explain "$example" >"$out/build.yaml" || ! diff -u "$want" "$out/build.yaml"; then
  echo "custom-generator: novagen build $example differs from $want" >&2
  failed=1
fi
[ "$failed" -eq 0 ] && echo "custom-generator: kustomize and novagen build match $want"
