#!/usr/bin/env bash
# Entry point of `make argocd-test`:
#   test/argocd/run.sh
# Builds argocd v2.14.21 once (cached outside the repository), novagen and
# the pinned kustomize into a temporary bin directory, clones the commit
# under test (the repo server fetches it over file://), and runs the Go
# test that asks a real argocd-repo-server, with argocd-cmp-server and the
# novagen plugin, to render every example. See ../../deploy/argocd/README.md.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"

for cmd in git redis-server; do
	command -v "$cmd" >/dev/null || { echo "error: $cmd not found (apt-get install git redis-server)" >&2; exit 1; }
done
if [[ -n "$(git -C "$repo_root" status --porcelain -- examples deploy services.yaml)" ]]; then
	echo "warning: uncommitted changes under examples/, deploy/ or services.yaml are not tested: the repo server sees only the commit" >&2
fi

# The last line of build-argocd.sh's stdout is the directory of the binaries.
argocd_dir="${ARGOCD_BIN_DIR:-$("$script_dir/build-argocd.sh" | tail -n 1)}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
(cd "$repo_root" && go build -o "$work/bin/novagen" ./cmd/novagen &&
	go build -modfile=tools/go.mod -o "$work/bin/kustomize" sigs.k8s.io/kustomize/kustomize/v5)
git clone --quiet --no-hardlinks "$repo_root" "$work/repo"

# Each deploy/argocd component applied to argo-cd v2.14.21's own install.yaml
# (from its module) must build, and the result pass kubeconform -strict
# (its CRDs aside: no schema for CustomResourceDefinition).
# (`go list -m` names the directory only once the module is downloaded.)
argocd_src="$(cd "$script_dir" && go mod download github.com/argoproj/argo-cd/v2 &&
	go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v2)"
schemas="${KUBECONFORM_SCHEMA_LOCATION:-default}"
for component in cmp native; do
	mkdir "$work/install-$component"
	cp "$argocd_src/manifests/install.yaml" "$work/install-$component/"
	printf 'resources: [install.yaml]\ncomponents: [../repo/deploy/argocd/%s]\n' "$component" \
		>"$work/install-$component/kustomization.yaml"
	"$work/bin/kustomize" build "$work/install-$component" >"$work/install-$component.yaml"
	(cd "$repo_root" && go tool -modfile=tools/go.mod kubeconform -strict -summary \
		-skip CustomResourceDefinition -schema-location "$schemas" "$work/install-$component.yaml")
done

cd "$script_dir"
NOVAGEN_ARGOCD_TEST=1 \
	ARGOCD_BIN_DIR="$argocd_dir" \
	NOVAGEN_BIN_DIR="$work/bin" \
	NOVAGEN_REPO="$work/repo" \
	go test -count=1 -timeout 20m -v ./...
