#!/usr/bin/env bash
# CI's render step for Flux (docs/flux.md): Flux's kustomize-controller
# runs no exec functions, so CI renders the catalog and Flux applies the
# output, which needs no plugin:
#
#   render.sh OUT [CATALOG]
#
#   OUT/partitions/<partition>/   novagen render --partition <partition>
#                                 (resources.yaml) and a plain kustomization
#   OUT/flux/                     one Flux Kustomization per partition, each
#                                 but the infrastructure one dependsOn it
#
# The partitions are the catalog's own (novagen partitions -o json), so a
# partition added to the catalog is rendered and delivered by the same
# commit. CATALOG defaults to services.yaml beside this script. OUT must not
# exist or be empty: nothing stale (a partition since removed) survives.
#
# env: NOVAGEN (the binary, default novagen on PATH); NOVAGEN_ENVIRONMENT (an
# environment of the catalog's spec.environments); FLUX_NAMESPACE (where the
# Flux objects live, default flux-system); FLUX_SOURCE_KIND (OCIRepository,
# the default, or GitRepository) and FLUX_SOURCE_NAME (default: the
# catalog's name): the source the Kustomizations read this output from.
set -euo pipefail

usage() { echo "usage: $0 OUT [CATALOG]" >&2; exit 2; }
[[ $# -ge 1 && $# -le 2 ]] || usage
out=$1
catalog=${2:-$(dirname "$0")/services.yaml}
novagen=${NOVAGEN:-novagen}
flux_namespace=${FLUX_NAMESPACE:-flux-system}
source_kind=${FLUX_SOURCE_KIND:-OCIRepository}
case "$source_kind" in
  OCIRepository | GitRepository) ;;
  *) echo "$0: FLUX_SOURCE_KIND=$source_kind: expected OCIRepository or GitRepository" >&2; exit 2 ;;
esac
command -v jq >/dev/null || { echo "$0: jq is not on PATH" >&2; exit 1; }
if [[ -e "$out" && -n "$(ls -A "$out")" ]]; then
  echo "$0: $out is not empty: render into a new directory, so no stale partition survives" >&2
  exit 1
fi
env_flags=()
[[ -n "${NOVAGEN_ENVIRONMENT:-}" ]] && env_flags=(--environment "$NOVAGEN_ENVIRONMENT")

parts=$("$novagen" partitions -f "$catalog" "${env_flags[@]}" -o json)
# The loader admits only DNS labels as partition names; checked again
# here, as they become directory names.
names=$(jq -r '.[] | .partition | if test("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$") then . else error("partition \(tojson) is not a DNS label") end' <<<"$parts")

# A kustomization Flux (or kustomize build, without plugins) builds as is.
plain_kustomization() {
  printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - %s\n' "$1" >"$2/kustomization.yaml"
}

mkdir -p "$out/flux"
for p in $names; do
  dir="$out/partitions/$p"
  mkdir -p "$dir"
  "$novagen" render -f "$catalog" "${env_flags[@]}" --partition "$p" >"$dir/resources.yaml"
  plain_kustomization resources.yaml "$dir"
done

# One Flux Kustomization per partition, named as the Argo CD Applications
# are (<catalog>-<partition>), built as objects by jq: a JSON document is a
# YAML document. test/flux decodes them with Flux's own API types.
jq -r --arg ns "$flux_namespace" --arg kind "$source_kind" --arg source "${FLUX_SOURCE_NAME:-}" '
  .[] | "---", {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: {
      name: "\(.catalog)-\(.partition)",
      namespace: $ns,
      labels: {"nova.dev/catalog": .catalog, "nova.dev/partition": .partition}
    },
    spec: ({
      # Every partition reads the same artifact, so all apply one render.
      sourceRef: {kind: $kind, name: (if $source == "" then .catalog else $source end)},
      path: "./partitions/\(.partition)",
      interval: "10m",
      retryInterval: "1m",
      # Remove what a later render no longer has.
      prune: true,
      # Ready only once every applied object is healthy (the database and
      # its init Jobs, the workloads): what dependsOn waits for.
      wait: true,
      timeout: "10m"
      # No targetNamespace: every rendered object names its namespace, and
      # the Namespace itself is cluster-scoped.
    } + if .partition == "infrastructure" then {} else {
      # The Namespace, default-deny, credentials and data stores first.
      dependsOn: [{name: "\(.catalog)-infrastructure"}]
    } end)
  }' <<<"$parts" >"$out/flux/kustomizations.yaml"
plain_kustomization kustomizations.yaml "$out/flux"
