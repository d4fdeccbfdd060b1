#!/usr/bin/env bash
# Runs every Go native fuzz target for SECONDS each (default 20), one after
# the other, and stops at the first failure. A failing input is written to
# <package>/testdata/fuzz/<FuzzName>/, where plain `go test` replays it.
#
#   hack/fuzz.sh [SECONDS]
#   FUZZ_PARALLEL=2 hack/fuzz.sh 180   # -parallel for the fuzz workers
set -euo pipefail

seconds="${1:-20}"
case "$seconds" in
  '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;;
esac

cd "$(dirname "$0")/.."

parallel=()
if [ -n "${FUZZ_PARALLEL:-}" ]; then
  parallel=(-parallel "$FUZZ_PARALLEL")
fi

targets=(
  "FuzzParse ./catalog/load"
  "FuzzRender ./pipeline"
  "FuzzTransform ./generators/initcontainers"
  "FuzzEmitter ./render"
  "FuzzToNode ./internal/yamlnode"
  "FuzzCheck ./check"
  "FuzzFunction ./fns"
  "FuzzDiff ./diff"
  "FuzzAppendService ./cli"
)

# crashers counts the inputs kept for a target.
crashers() {
  if [ -d "$1/testdata/fuzz/$2" ]; then
    find "$1/testdata/fuzz/$2" -type f | wc -l
  else
    echo 0
  fi
}

for target in "${targets[@]}"; do
  read -r name pkg <<<"$target"
  for attempt in 1 2; do
    echo "== $name ($pkg, ${seconds}s)"
    before=$(crashers "$pkg" "$name")
    if go test -run '^$' -fuzz "^${name}\$" -fuzztime "${seconds}s" "${parallel[@]}" "$pkg"; then
      break
    fi
    # A failure that kept an input is a finding. One that kept none is
    # the fuzzing engine's (a worker that missed a deadline on a loaded
    # machine): try once more before calling it a failure.
    if [ "$(crashers "$pkg" "$name")" -ne "$before" ] || [ "$attempt" -eq 2 ]; then
      exit 1
    fi
    echo "== $name: the fuzzing engine failed without a failing input; once more" >&2
  done
done
