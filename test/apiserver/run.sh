#!/usr/bin/env bash
# Entry point of `make apiserver-test`:
#   test/apiserver/run.sh MANIFEST_DIR
# Applies every object of every *.yaml file in MANIFEST_DIR (one `kustomize
# build` output per example) to a real etcd + kube-apiserver with
# server-side dry run. See README.md in this directory.
set -euo pipefail

usage() {
	echo "usage: $0 MANIFEST_DIR" >&2
	echo "  env: ETCD (default: etcd on PATH), NOVAGEN_CRDS (default: <repo>/../shared/crds)," >&2
	echo "       KUBE_APISERVER (default: built and cached by build-kube.sh), NOVAGEN_CACHE" >&2
	exit 2
}

[[ $# -eq 1 ]] || usage
[[ -d "$1" ]] || { echo "error: manifest directory $1 does not exist" >&2; exit 2; }

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
# go test runs inside test/apiserver, so hand it absolute paths.
manifests="$(cd "$1" && pwd)"
crds="${NOVAGEN_CRDS:-$repo_root/../shared/crds}"
[[ -d "$crds" ]] || { echo "error: CRD directory $crds does not exist (set NOVAGEN_CRDS)" >&2; exit 2; }
crds="$(cd "$crds" && pwd)"

etcd="${ETCD:-etcd}"
if ! command -v "$etcd" >/dev/null 2>&1; then
	echo "error: etcd not found ($etcd); install it with: apt-get install etcd-server" >&2
	exit 1
fi

if [[ -z "${KUBE_APISERVER:-}" ]]; then
	# The last line of build-kube.sh's stdout is the binary's path.
	KUBE_APISERVER="$("$script_dir/build-kube.sh" kube-apiserver | tail -n 1)"
fi

cd "$script_dir"
NOVAGEN_APISERVER_TEST=1 \
	KUBE_APISERVER="$KUBE_APISERVER" \
	ETCD="$(command -v "$etcd")" \
	NOVAGEN_CRDS="$crds" \
	NOVAGEN_MANIFESTS="$manifests" \
	go test -count=1 -v ./...
