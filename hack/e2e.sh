#!/usr/bin/env bash
# Runs the real kustomize CLI (the pinned one from tools/go.mod) on every
# example and compares its output with golden/examples/<name>.yaml, as
# must `novagen build` (the Argo CD plugin's generate); then kpt on every
# example it can run (below).
set -euo pipefail
cd "$(dirname "$0")/.."
kustomize=${KUSTOMIZE:-go tool -modfile=tools/go.mod kustomize}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# novagen build's fallback runs a kustomize executable: the pinned one.
mkdir "$out/bin"
go build -modfile=tools/go.mod -o "$out/bin/kustomize" sigs.k8s.io/kustomize/kustomize/v5

# own_module DIR: whether the example is a Go module of its own, a
# program adding generators to novagen (examples/custom-generator), which
# novagen's binary cannot render: make custom-generator-e2e checks it.
own_module() {
  [ -f "$1/go.mod" ]
}

n=0
failed=0
for dir in examples/*/; do
  name=$(basename "$dir")
  own_module "$dir" && continue
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
kustomize_failed=$failed
echo "e2e: kustomize: $((n - failed)) passed, $failed failed"

# kpt (KPT: the binary tools/kpt/go.mod pins; make e2e builds it): each
# example whose kustomization runs NovaGen configs becomes a kpt package,
# and kpt runs them from the package's parent directory, twice each way:
#   kpt fn eval PKG --exec "novagen fn --config-dir PKG" --fn-config PKG/CONFIG
#     (one per config; eval gives the function its config without a path,
#     so --config-dir says where it lies)
#   kpt fn render PKG --allow-exec   (a Kptfile whose pipeline runs the
#     configs; render gives each config its path)
# The first run must write the objects kustomize builds (golden/examples),
# the second must change no file (the function is idempotent).
# The package is a copy of the example's files (its kustomization.yaml
# left out, a Kptfile added), so examples/ stays what kustomize and Argo
# CD read; the copy lies one directory below the repository root, as
# examples/NAME does, so the configs' catalog paths (../../services.yaml)
# resolve as written, against the config files.
kpt=${KPT:?KPT must name the kpt binary (make e2e builds it)}
pkgs=$(mktemp -d "$PWD/.kpt-e2e.XXXXXX")
trap 'rm -rf "$out" "$pkgs"' EXIT

# section DIR NAME: the files a kustomization lists under NAME:, in order.
section() {
  awk -v key="$2:" '$1 == key {on = 1; next} /^[^ #]/ {on = 0} on && $1 == "-" {print $2}' "$1/kustomization.yaml"
}

# package DIR: a fresh kpt package of the example in DIR, at $pkgs/NAME,
# with a Kptfile whose pipeline runs its configs in kustomize's order
# (generators, then transformers).
package() {
  local name pkg config
  name=$(basename "$1")
  pkg=$pkgs/$name
  rm -rf "$pkg"
  cp -R "$1" "$pkg"
  # kpt reads every YAML and JSON file of a package as objects: the
  # kustomization is kustomize's, and a JSON file (partitioned's
  # partitions.json, the ApplicationSet's list) is no object.
  rm -f "$pkg/kustomization.yaml" "$pkg"/*.json
  {
    printf 'apiVersion: kpt.dev/v1\nkind: Kptfile\nmetadata:\n  name: %s\n' "$name"
    printf '  annotations:\n    config.kubernetes.io/local-config: "true"\npipeline:\n  mutators:\n'
    for config in $configs; do
      printf '    - exec: novagen fn\n      configPath: %s\n' "$config"
    done
  } >"$pkg/Kptfile"
  echo "$pkg"
}

# same_objects PKG NAME: the objects kpt wrote into PKG (the files that
# were not in the example) are those kustomize builds for NAME: built by
# kustomize from PKG (which prints them in its own order and format), they
# equal golden/examples/NAME.yaml byte for byte.
same_objects() {
  local pkg=$1 name=$2 file
  {
    echo "resources:"
    (cd "$pkg" && find . -name '*.yaml' | LC_ALL=C sort) | while read -r file; do
      [ -e "examples/$name/$file" ] || echo "  - $file"
    done
  } >"$pkg/kustomization.yaml"
  # shellcheck disable=SC2086 # $kustomize is a command line
  $kustomize build "$pkg" >"$out/kpt-$name.yaml" && rm "$pkg/kustomization.yaml" &&
    diff -u "golden/examples/$name.yaml" "$out/kpt-$name.yaml"
}

# twice PKG NAME MODE CMD...: runs CMD from PKG's parent twice; the first
# run's objects must be kustomize's, the second must change nothing.
twice() {
  local pkg=$1 name=$2 mode=$3
  shift 3
  if ! (cd "$pkgs" && "$@" >"$out/kpt.log" 2>&1); then
    cat "$out/kpt.log" >&2
    echo "e2e: kpt fn $mode of examples/$name failed (first run)" >&2
    return 1
  fi
  if ! same_objects "$pkg" "$name"; then
    echo "e2e: kpt fn $mode of examples/$name wrote other objects than kustomize builds" >&2
    return 1
  fi
  rm -rf "$out/first" && cp -R "$pkg" "$out/first"
  if ! (cd "$pkgs" && "$@" >"$out/kpt.log" 2>&1); then
    cat "$out/kpt.log" >&2
    echo "e2e: kpt fn $mode of examples/$name failed (second run)" >&2
    return 1
  fi
  if ! diff -ru "$out/first" "$pkg"; then
    echo "e2e: a second kpt fn $mode of examples/$name changed the package" >&2
    return 1
  fi
}

k=0
for dir in examples/*/; do
  name=$(basename "$dir")
  own_module "$dir" && continue
  configs="$(section "$dir" generators) $(section "$dir" transformers)"
  if [ -z "${configs// /}" ]; then
    # examples/overlay is a kustomize overlay (resources: ../staging plus
    # kustomize's labels): no function config of its own, nothing for kpt
    # to run; its base runs here as examples/staging.
    echo "e2e: kpt: $dir skipped: a kustomize overlay, no function config"
    continue
  fi
  pkg=$(package "$dir")
  eval_all() {
    local config
    for config in $configs; do
      "$kpt" fn eval "$name" --exec "novagen fn --config-dir $name" --fn-config "$name/$config" || return 1
    done
  }
  twice "$pkg" "$name" eval eval_all || { failed=$((failed + 1)); continue; }
  pkg=$(package "$dir")
  twice "$pkg" "$name" render "$kpt" fn render "$name" --allow-exec || { failed=$((failed + 1)); continue; }
  k=$((k + 1))
done
echo "e2e: kpt: $k examples passed (eval and render, twice each), $((failed - kustomize_failed)) failed"
[ "$failed" -eq 0 ]
