#!/usr/bin/env bash
# Builds a Go command into a cache once:
#   hack/go-build-cached.sh BINARY MODULE_DIR PACKAGE [go build flag]...
# runs `go build FLAGS -o BINARY PACKAGE` in MODULE_DIR unless BINARY is
# already executable. For the servers the real-component tests build from
# the module proxy (kube-apiserver, argocd), which take minutes.
set -euo pipefail
[[ $# -ge 3 ]] || { echo "usage: $0 BINARY MODULE_DIR PACKAGE [go build flag]..." >&2; exit 2; }
binary=$1 module_dir=$2 package=$3
shift 3

[[ -x "$binary" ]] && exit 0
mkdir -p "$(dirname "$binary")"
# One build of a binary at a time: a second caller (CI builds the servers
# in the background while the quick checks run, then a harness asks for
# them) waits for the first and finds the binary built.
exec 9>"$binary.lock"
flock 9
[[ -x "$binary" ]] && exit 0
echo "building $package into $binary (takes several minutes)" >&2
start=$SECONDS
# Build to a temporary name and rename, so an interrupted build never
# leaves a truncated binary that a later run would take as cached.
tmp="$binary.tmp.$$"
trap 'rm -f "$tmp"' EXIT
(cd "$module_dir" && CGO_ENABLED=0 go build "$@" -o "$tmp" "$package")
mv "$tmp" "$binary"
echo "built $(basename "$binary") in $((SECONDS - start))s" >&2
