#!/usr/bin/env bash
# Builds kube-apiserver from the Go module proxy (via the pinned module in
# tools/) into a cache directory, once, and prints the binary's path as the
# last line on stdout. The build takes several minutes on a small machine, so
# the binary is reused across runs; delete it to force a rebuild.
set -euo pipefail

readonly VERSION=v1.37.2

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
binary="${NOVAGEN_CACHE:-$HOME/.cache/novagen}/bin/kube-apiserver-$VERSION"

# A plain `go build` reports version v0.0.0-master; stamp the real one like
# the upstream release build does, so /version is truthful.
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$VERSION -X $pkg.gitTreeState=clean"
minor="${VERSION#v1.}"
ldflags+=" -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*}"
"$script_dir/../../hack/go-build-cached.sh" "$binary" "$script_dir/tools" k8s.io/kubernetes/cmd/kube-apiserver \
	-trimpath -ldflags="$ldflags"

echo "$binary"
