#!/usr/bin/env bash
# Entry point of `make verify-test`: novagen verify against services.yaml's
# render on a simulated cluster (kube-apiserver, kube-controller-manager,
# kube-scheduler, kwok and the stand-ins of this directory; no Argo CD):
# all 13 checks pass, then one injected fault per check is a FAIL.
#   test/rollout/verify.sh [go test flag]...
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
command -v etcd >/dev/null || { echo "error: etcd not found (apt-get install etcd-server)" >&2; exit 1; }
crds="${NOVAGEN_CRDS:-$repo_root/../shared/crds}"
[[ -d "$crds" ]] || { echo "error: CRD directory $crds does not exist (set NOVAGEN_CRDS)" >&2; exit 2; }

mapfile -t kube < <("$repo_root/test/apiserver/build-kube.sh" kube-apiserver kube-controller-manager kube-scheduler kwok | tail -n 4)
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$repo_root" && go build -o "$work/novagen" ./cmd/novagen)

cd "$script_dir"
NOVAGEN_VERIFY_TEST=1 \
	ETCD="$(command -v etcd)" \
	KUBE_APISERVER="${kube[0]}" KUBE_CONTROLLER_MANAGER="${kube[1]}" KUBE_SCHEDULER="${kube[2]}" KWOK="${kube[3]}" \
	NOVAGEN_CRDS="$(cd "$crds" && pwd)" \
	NOVAGEN_BIN="$work/novagen" \
	NOVAGEN_REPO_ROOT="$repo_root" \
	go test -count=1 -timeout 30m -v -run '^TestVerify$' "$@" .
