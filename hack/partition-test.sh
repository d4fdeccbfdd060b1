#!/usr/bin/env bash
# Entry point of `make partition-test`: every partition of a synthetic
# catalog through its real delivery path, timed.
#   1. `novagen synth --services $SERVICES` (a partitioned catalog) in a git
#      repository of its own, with one kustomization running the novagen
#      exec function (as examples/partitioned does);
#   2. for every partition (or those $PARTITIONS names), the real
#      `kustomize build --enable-alpha-plugins --enable-exec` with
#      NOVAGEN_PARTITION set and novagen found through PATH, timed;
#   3. the $STATIC_PARTITIONS largest partitions again as static YAML: their
#      output as a plain kustomize resource, built and timed the same way,
#      for the exec function's overhead (reported; it fails the run only
#      over $MAX_OVERHEAD when that is set: most of the overhead is
#      kustomize's own handling of generator output, see
#      docs/performance.md);
#   4. the $ARGOCD_PARTITIONS largest partitions through a real
#      argocd-repo-server and the novagen plugin in argocd-cmp-server
#      (test/argocd: TestRepoServerRendersPartitionsInTime), as the
#      partitions ApplicationSet's Applications render, equal to step 2.
# Fails when a partition takes longer than $LIMIT seconds either way.
# $GENERATORS (comma-separated) restricts the function config's generators.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_root=$PWD
services=${SERVICES:-10000}
limit=${LIMIT:-30}
argocd_partitions=${ARGOCD_PARTITIONS:-2}
static_partitions=${STATIC_PARTITIONS:-3}
max_overhead=${MAX_OVERHEAD:-}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/bin" "$work/repo/catalog" "$work/out"
go build -o "$work/bin/novagen" ./cmd/novagen
go build -modfile=tools/go.mod -o "$work/bin/kustomize" sigs.k8s.io/kustomize/kustomize/v5
export PATH="$work/bin:$PATH"

catalog="$work/repo/catalog"
novagen synth --services "$services" >"$catalog/services.yaml"
generators=""
if [[ -n "${GENERATORS:-}" ]]; then
  generators="  generators: [${GENERATORS}]"
fi
cat >"$catalog/novagen.yaml" <<YAML
apiVersion: novagen.nova.dev/v1alpha1
kind: NovaGen
metadata:
  name: synth
  annotations:
    config.kubernetes.io/function: |
      exec: {path: novagen, args: [fn]}
spec:
  catalog: services.yaml
$generators
YAML
printf 'generators: [novagen.yaml]\n' >"$catalog/kustomization.yaml"
git -C "$work/repo" init --quiet
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=novagen -c user.email=novagen@localhost commit --quiet -m "synthetic catalog of $services services"

# PARTITION SERVICES, infrastructure first.
novagen partitions -f "$catalog/services.yaml" | tail -n +2 >"$work/partitions.txt"
read -r -a chosen <<<"${PARTITIONS:-$(cut -d' ' -f1 "$work/partitions.txt" | tr '\n' ' ')}"
echo "catalog: $services services, $(wc -l <"$work/partitions.txt") partitions; ${GENERATORS:-all} generators; bound ${limit} s"
printf '| partition | services | objects | seconds | peak RSS (MB) |\n| --- | ---: | ---: | ---: | ---: |\n'
max=0 total=0 failed=0
for p in "${chosen[@]}"; do
  n=$(awk -v p="$p" '$1 == p {print $2}' "$work/partitions.txt")
  # GNU time's %M: the largest RSS of kustomize and the function it runs.
  (cd "$catalog" && NOVAGEN_PARTITION="$p" /usr/bin/time -f '%e %M' -o "$work/time" \
    kustomize build --enable-alpha-plugins --enable-exec . >"$work/out/$p.yaml")
  read -r secs rss <"$work/time"
  objects=$(grep -c '^kind:' "$work/out/$p.yaml" || true)
  printf '| %s | %s | %s | %s | %d |\n' "$p" "$n" "$objects" "$secs" $((rss / 1024))
  total=$(awk -v a="$total" -v b="$secs" 'BEGIN {print a + b}')
  if awk -v a="$secs" -v b="$max" 'BEGIN {exit !(a > b)}'; then max=$secs; fi
  if awk -v a="$secs" -v b="$limit" 'BEGIN {exit !(a > b)}'; then failed=$((failed + 1)); fi
done
echo "kustomize + exec function: max ${max} s, total ${total} s over ${#chosen[@]} partitions; ${failed} over ${limit} s"

# largest N: the N chosen partitions with the most services.
largest() {
  printf '%s\n' "${chosen[@]}" | while read -r p; do awk -v p="$p" '$1 == p' "$work/partitions.txt"; done |
    sort -k2,2nr | head -n "$1" | cut -d' ' -f1 | tr '\n' ' '
}

# The same objects as static YAML: what kustomize itself costs, so the
# exec function's share shows. Best of three runs each way, one after the
# other, so a change of the machine's load falls on both.
if [[ "$static_partitions" -gt 0 ]]; then
  printf '| partition | objects | exec function (s) | static YAML (s) | ratio |\n| --- | ---: | ---: | ---: | ---: |\n'
  for p in $(largest "$static_partitions"); do
    static="$work/static/$p"
    mkdir -p "$static"
    cp "$work/out/$p.yaml" "$static/objects.yaml"
    printf 'resources: [objects.yaml]\n' >"$static/kustomization.yaml"
    best_exec="" best_static=""
    for _ in 1 2 3; do
      (cd "$catalog" && NOVAGEN_PARTITION="$p" /usr/bin/time -f '%e' -o "$work/time" \
        kustomize build --enable-alpha-plugins --enable-exec . >"$work/exec.yaml")
      best_exec=$(awk -v a="$(cat "$work/time")" -v b="$best_exec" 'BEGIN {print (b == "" || a < b) ? a : b}')
      /usr/bin/time -f '%e' -o "$work/time" kustomize build "$static" >"$work/static.yaml"
      best_static=$(awk -v a="$(cat "$work/time")" -v b="$best_static" 'BEGIN {print (b == "" || a < b) ? a : b}')
    done
    if ! cmp -s "$work/exec.yaml" "$work/static.yaml"; then
      echo "partition $p: the static build differs from the function's" >&2
      failed=$((failed + 1))
    fi
    ratio=$(awk -v a="$best_exec" -v b="$best_static" 'BEGIN {printf "%.2f", a / b}')
    printf '| %s | %s | %s | %s | %s |\n' "$p" "$(grep -c '^kind:' "$work/static.yaml")" "$best_exec" "$best_static" "$ratio"
    if [[ -n "$max_overhead" ]] && awk -v r="$ratio" -v m="$max_overhead" 'BEGIN {exit !(r > m)}'; then
      echo "partition $p: the exec function path costs ${ratio}x the static build, over ${max_overhead}x" >&2
      failed=$((failed + 1))
    fi
  done
fi

if [[ "$argocd_partitions" -gt 0 ]]; then
  largest=$(largest "$argocd_partitions")
  argocd_dir="${ARGOCD_BIN_DIR:-$(test/argocd/build-argocd.sh | tail -n 1)}"
  echo "through argocd-repo-server + the novagen plugin: $largest"
  (cd test/argocd && NOVAGEN_PARTITION_REPO="$work/repo" NOVAGEN_PARTITIONS="$largest" \
    NOVAGEN_PARTITION_OUT="$work/out" NOVAGEN_PARTITION_LIMIT="$limit" NOVAGEN_REPO="$repo_root" \
    ARGOCD_BIN_DIR="$argocd_dir" NOVAGEN_BIN_DIR="$work/bin" \
    go test -count=1 -timeout 60m -run TestRepoServerRendersPartitionsInTime -v . ) | grep -E 'ARGOCD partition|^(---|ok|FAIL|PASS)|over the' || failed=$((failed + 1))
fi
[[ "$failed" -eq 0 ]]
