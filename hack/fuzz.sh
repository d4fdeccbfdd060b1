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
  "FuzzParse ./schema"
  "FuzzRender ./pipeline"
  "FuzzTransform ./generators/initcontainers"
)

for target in "${targets[@]}"; do
  read -r name pkg <<<"$target"
  echo "== $name ($pkg, ${seconds}s)"
  go test -run '^$' -fuzz "^${name}\$" -fuzztime "${seconds}s" "${parallel[@]}" "$pkg"
done
