#!/usr/bin/env bash
# examples/flux as Flux gets it (docs/flux.md): CI's render step
# (examples/flux/render.sh) into a temp dir, then plain `kustomize build`,
# without --enable-exec as Flux's kustomize-controller builds, of every
# rendered partition and of the Flux objects; the partitions together must
# be exactly what the exec function renders for the same catalog
# (kustomize build --enable-exec examples/flux, golden/examples/flux.yaml).
# Then test/flux decodes the Flux objects with Flux's own API types.
# novagen is found through PATH (make e2e puts bin/ first).
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/rendered
fail() { echo "flux-e2e: $*" >&2; exit 1; }

examples/flux/render.sh "$out"
parts=$(novagen partitions -f examples/flux/services.yaml -o json | jq -r '.[].partition')

# Each partition on its own, as its Flux Kustomization builds it; and all
# of them in one kustomization, which also refuses an object that two
# partitions would both apply.
union=$tmp/union
mkdir "$union"
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n' >"$union/kustomization.yaml"
n=0
for p in $parts; do
  # shellcheck disable=SC2086 # $kustomize is a command line
  $kustomize build "$out/partitions/$p" >"$tmp/$p.yaml" || fail "kustomize build of partition $p failed"
  [ -s "$tmp/$p.yaml" ] || fail "partition $p builds to nothing"
  printf '  - ../rendered/partitions/%s\n' "$p" >>"$union/kustomization.yaml"
  n=$((n + 1))
done
[ "$(find "$out/partitions" -mindepth 1 -maxdepth 1 | wc -l)" -eq "$n" ] || fail "render.sh wrote partitions the catalog does not list"
# shellcheck disable=SC2086
$kustomize build "$union" >"$tmp/union.yaml" || fail "kustomize build of the partitions together failed"
# shellcheck disable=SC2086
$kustomize build --enable-alpha-plugins --enable-exec examples/flux >"$tmp/exec.yaml"
# kustomize orders both outputs the same way (legacy order: kind, then
# name), so equal object sets are equal bytes.
diff -u "$tmp/exec.yaml" "$tmp/union.yaml" >&2 ||
  fail "the $n rendered partitions differ from the exec function's render of the catalog (-exec +partitions)"

# The Flux objects build without plugins too: one per partition.
# shellcheck disable=SC2086
$kustomize build "$out/flux" >"$tmp/flux.yaml" || fail "kustomize build of the rendered flux/ failed"
kinds=$(grep -c '^kind: Kustomization$' "$tmp/flux.yaml" || true)
[ "$kinds" -eq "$n" ] || fail "flux/ holds $kinds Kustomizations for $n partitions"
objects=$(grep -c '^kind:' "$tmp/exec.yaml")
echo "flux-e2e: $n partitions built without plugins, $objects objects, equal to the exec function's render"

# test/flux is a module of its own (Flux's API types and CRDs, with the
# apiserver packages they need): vetted and run here, not in make test.
(cd test/flux && go vet ./... && go test -count=1 ./...)
