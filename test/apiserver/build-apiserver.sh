#!/usr/bin/env bash
# Builds kube-apiserver from the Go module proxy (via the pinned module in
# tools/) into a cache directory, once, and prints the binary's path as the
# last line on stdout. The build takes several minutes on a small machine, so
# the binary is reused across runs; delete it to force a rebuild.
set -euo pipefail

readonly VERSION=v1.37.2

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_dir="${NOVAGEN_CACHE:-$HOME/.cache/novagen}/bin"
binary="$cache_dir/kube-apiserver-$VERSION"

if [[ ! -x "$binary" ]]; then
	mkdir -p "$cache_dir"
	echo "building kube-apiserver $VERSION into $binary (takes several minutes)" >&2
	start=$SECONDS
	# Build to a temporary name and rename, so an interrupted build never
	# leaves a truncated binary that a later run would take as cached.
	tmp="$binary.tmp.$$"
	trap 'rm -f "$tmp"' EXIT
	(
		cd "$script_dir/tools"
		# A plain `go build` reports version v0.0.0-master; stamp the real
		# one like the upstream release build does, so /version is truthful.
		pkg=k8s.io/component-base/version
		ldflags="-s -w -X $pkg.gitVersion=$VERSION -X $pkg.gitTreeState=clean"
		minor="${VERSION#v1.}"
		ldflags+=" -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*}"
		CGO_ENABLED=0 go build -trimpath -ldflags="$ldflags" -o "$tmp" k8s.io/kubernetes/cmd/kube-apiserver
	)
	mv "$tmp" "$binary"
	echo "built kube-apiserver in $((SECONDS - start))s" >&2
fi

echo "$binary"
