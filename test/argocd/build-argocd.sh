#!/usr/bin/env bash
# Builds argo-cd's multi-call binary (v2.14.21, from the Go module proxy via
# the pinned module here) into a cache directory, once, and prints that
# directory as the last line on stdout: it holds `argocd` and the links
# `argocd-repo-server`, `argocd-cmp-server` and
# `argocd-application-controller` (the binary picks its role from argv[0]). Delete the directory to force a rebuild.
set -euo pipefail

readonly VERSION=v2.14.21

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${NOVAGEN_CACHE:-$HOME/.cache/novagen}/argocd-$VERSION"
# Stamp the version as upstream's Makefile does, so the servers report it.
pkg=github.com/argoproj/argo-cd/v2/common
"$script_dir/../../hack/go-build-cached.sh" "$dir/argocd" "$script_dir" github.com/argoproj/argo-cd/v2/cmd \
	-trimpath -ldflags="-s -w -X $pkg.version=${VERSION#v}"
for role in argocd-repo-server argocd-cmp-server argocd-application-controller; do
	ln -sfn argocd "$dir/$role"
done

echo "$dir"
