#!/usr/bin/env bash
# Builds every example with the real kustomize, renders every catalog of
# test/catalogs (the longest names among them) with novagen, and applies
# each object to a real kube-apiserver with server-side dry run
# (test/apiserver). novagen is found through PATH, as kustomize and Argo
# CD find it (make apiserver-test puts bin/ first).
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
command -v novagen >/dev/null || { echo "error: novagen is not on PATH (make build; PATH=\$PWD/bin:\$PATH)" >&2; exit 1; }
manifests=$(mktemp -d)
trap 'rm -rf "$manifests"' EXIT
for dir in examples/*/; do
  # An example with a go.mod of its own is a program adding generators
  # (examples/custom-generator): novagen's binary cannot render it.
  [ -f "$dir/go.mod" ] && continue
  # shellcheck disable=SC2086 # $kustomize is a command line
  $kustomize build --enable-alpha-plugins --enable-exec "$dir" >"$manifests/example-$(basename "$dir").yaml"
done
# The issue's scale bar: a 1 000-service render, every object accepted.
novagen synth --services 1000 --seed 7 | novagen render -f - >"$manifests/catalog-synth-1000.yaml"
for catalog in test/catalogs/*.yaml; do
  novagen render -f "$catalog" >"$manifests/catalog-$(basename "$catalog")"
done
# The Argo CD objects of deploy/argocd/apps (Applications, the per-environment
# and per-partition ApplicationSets) against Argo CD v2.14.21's own CRDs
# (from the argo-cd module test/argocd requires), beside ../shared/crds.
cp deploy/argocd/apps/*.yaml "$manifests/"
crds="$manifests/crds"
mkdir "$crds"
cp "${NOVAGEN_CRDS:-../shared/crds}"/*.yaml "$crds/"
argocd_src="$(cd test/argocd && go mod download github.com/argoproj/argo-cd/v2 &&
  go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v2)"
for crd in application applicationset appproject; do
  cp "$argocd_src/manifests/crds/$crd-crd.yaml" "$crds/argoproj.io_$crd.yaml"
done
NOVAGEN_CRDS="$crds" test/apiserver/run.sh "$manifests"
