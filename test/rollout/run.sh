#!/usr/bin/env bash
# Entry point of `make rollout-test`:
#   test/rollout/run.sh [go test flag]...
# Builds (once, cached in ~/.cache/novagen) kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok (test/apiserver/build-kube.sh)
# and argocd (test/argocd/build-argocd.sh); builds novagen and the pinned
# kustomize into a temporary bin directory; clones the commit under test
# (Argo CD fetches it over file://) and runs the scenarios of this
# directory on simulated clusters. See README.md here.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"

for cmd in git redis-server etcd; do
	command -v "$cmd" >/dev/null || { echo "error: $cmd not found (apt-get install git redis-server etcd-server)" >&2; exit 1; }
done
if [[ -n "$(git -C "$repo_root" status --porcelain -- examples deploy services.yaml protos)" ]]; then
	echo "warning: uncommitted changes under examples/, deploy/, protos/ or services.yaml are not tested: Argo CD sees only the commit" >&2
fi
crds="${NOVAGEN_CRDS:-$repo_root/../shared/crds}"
[[ -d "$crds" ]] || { echo "error: CRD directory $crds does not exist (set NOVAGEN_CRDS)" >&2; exit 2; }

# build-kube.sh prints one path per component, in order.
mapfile -t kube < <("$repo_root/test/apiserver/build-kube.sh" kube-apiserver kube-controller-manager kube-scheduler kwok | tail -n 4)
argocd_dir="${ARGOCD_BIN_DIR:-$("$repo_root/test/argocd/build-argocd.sh" | tail -n 1)}"
# Argo CD's own CRDs, from the module the binary was built from.
argocd_src="$(cd "$repo_root/test/argocd" && go mod download github.com/argoproj/argo-cd/v2 &&
	go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v2)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin" "$work/argocd-crds"
(cd "$repo_root" && go build -o "$work/bin/novagen" ./cmd/novagen &&
	go build -modfile=tools/go.mod -o "$work/bin/kustomize" sigs.k8s.io/kustomize/kustomize/v5)
cp "$argocd_src/manifests/crds/application-crd.yaml" "$argocd_src/manifests/crds/appproject-crd.yaml" "$work/argocd-crds/"
git clone --quiet --no-hardlinks "$repo_root" "$work/repo"

cd "$script_dir"
NOVAGEN_ROLLOUT_TEST=1 \
	ETCD="$(command -v etcd)" \
	KUBE_APISERVER="${kube[0]}" KUBE_CONTROLLER_MANAGER="${kube[1]}" KUBE_SCHEDULER="${kube[2]}" KWOK="${kube[3]}" \
	ARGOCD_BIN_DIR="$argocd_dir" \
	ARGOCD_CRDS="$work/argocd-crds" \
	NOVAGEN_CRDS="$(cd "$crds" && pwd)" \
	NOVAGEN_BIN_DIR="$work/bin" \
	NOVAGEN_REPO="$work/repo" \
	go test -count=1 -timeout 80m -parallel 5 -v "$@" ./...
