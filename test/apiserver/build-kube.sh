#!/usr/bin/env bash
# Builds Kubernetes components from the Go module proxy (via the pinned
# module in tools/) into a cache directory, once each, and prints each
# binary's path on a line of its own, in argument order, as the last lines
# on stdout:
#   build-kube.sh [kube-apiserver|kube-controller-manager|kube-scheduler|kwok]...
# (no argument: kube-apiserver). A build takes minutes on a small machine
# (kube-apiserver first: the others then reuse most of its compiled
# packages), so binaries are reused across runs; delete one to rebuild it.
set -euo pipefail

readonly VERSION=v1.37.2                                       # k8s.io/kubernetes in tools/go.mod
KWOK_VERSION=$(awk '$1 == "sigs.k8s.io/kwok" {print $2}' "$(dirname "${BASH_SOURCE[0]}")/tools/go.mod")
readonly KWOK_VERSION

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${NOVAGEN_CACHE:-$HOME/.cache/novagen}/bin"

# A plain `go build` reports version v0.0.0-master; stamp the real one like
# the upstream release build does, so /version is truthful.
pkg=k8s.io/component-base/version
minor="${VERSION#v1.}"
kube_ldflags="-s -w -X $pkg.gitVersion=$VERSION -X $pkg.gitTreeState=clean -X $pkg.gitMajor=1 -X $pkg.gitMinor=${minor%%.*}"

[[ $# -gt 0 ]] || set -- kube-apiserver
paths=()
for component in "$@"; do
	case "$component" in
	kube-apiserver | kube-controller-manager | kube-scheduler)
		binary="$cache/$component-$VERSION"
		"$script_dir/../../hack/go-build-cached.sh" "$binary" "$script_dir/tools" "k8s.io/kubernetes/cmd/$component" \
			-trimpath -ldflags="$kube_ldflags"
		;;
	kwok)
		binary="$cache/kwok-$KWOK_VERSION"
		"$script_dir/../../hack/go-build-cached.sh" "$binary" "$script_dir/tools" sigs.k8s.io/kwok/cmd/kwok \
			-trimpath -ldflags="-s -w"
		;;
	*)
		echo "$0: unknown component $component" >&2
		exit 2
		;;
	esac
	paths+=("$binary")
done
printf '%s\n' "${paths[@]}"
