# novagen — see README.md. Every target works on a fresh clone with Go 1.26.
GO        ?= go
TOOLS     := $(GO) tool -modfile=tools/go.mod
KUSTOMIZE := $(TOOLS) kustomize
# CI points this at the Kubernetes 1.34 + CRD schemas in ../shared/schemas;
# unset, kubeconform uses its default (online) schema location.
KUBECONFORM_SCHEMA_LOCATION ?= default

# The examples run `novagen` found through PATH (as Argo CD's repo-server
# does); targets that build them put bin/ first on PATH.
WITH_BIN  := PATH="$(CURDIR)/bin:$$PATH"

.PHONY: all build install render generate test vet race promql-test golden e2e custom-generator-e2e check-output conform fuzz bench bench-doc helm kpt scale-test postgres-test backup-test redis-test apiserver-test argocd-test rollout-test verify-test partition-test image image-test ci clean

all: build test

# The commit novagen version prints: go build stamps none in a linked git
# worktree (golang/go#58218) or without git, so the builds stamp it
# themselves (recursive variables: git runs only for the targets using them).
COMMIT    = $(shell git rev-parse HEAD 2>/dev/null)
MODIFIED  = $(shell test -z "$$(git status --porcelain 2>/dev/null)" || echo true)
VCS_FLAGS = -ldflags='-X github.com/novagen/novagen/cli.commit=$(COMMIT) -X github.com/novagen/novagen/cli.modified=$(MODIFIED)'
NOVAGEN_BIN ?= bin/novagen

## build: compile bin/novagen (NOVAGEN_BIN)
build:
	$(GO) build $(VCS_FLAGS) -o $(NOVAGEN_BIN) ./cmd/novagen

## install: go install novagen (into GOBIN or GOPATH/bin: put it on PATH for kustomize)
install:
	$(GO) install $(VCS_FLAGS) ./cmd/novagen

## render: print every generated object of services.yaml
render: build
	bin/novagen render -f services.yaml

## generate: write catalog/load/services.schema.json from the catalog's Go types
## (their doc and schema tags; internal/schemagen); a test fails when it is stale
generate:
	$(GO) run ./internal/cmd/schemagen -o catalog/load/services.schema.json

## test: vet, and every unit, golden and in-process kustomize test (and test/proc's,
## the harnesses' process helper: a module of its own) with -short: the README's
## test command. The race detector (make race), the scale tests (make scale-test)
## and test/promql, whose Prometheus dependencies take minutes to fetch and build
## (make promql-test), have targets of their own, which CI runs.
test: vet
	$(GO) test -short ./...
	cd test/proc && $(GO) test -short ./...

vet:
	$(GO) vet ./...
	cd test/proc && $(GO) vet ./...

## race: the tests of make test without -short, under the race detector (the
## scale tests skip themselves under it: make scale-test runs them)
race:
	$(GO) test -race ./...
	cd test/proc && $(GO) test -race ./...

## promql-test: every generated alert rule through Prometheus' own rule loader and
## query engine, every dashboard query through its parser (test/promql, a module of its own: Prometheus and the cloud SDKs it
## pulls are minutes to fetch and build, so make test leaves it out)
promql-test:
	cd test/promql && $(GO) vet ./... && $(GO) test -race ./...

## golden: rewrite golden files (and the README's generated graph and generator tables;
## first the catalog schema: make generate) from the current code; review the diff!
golden: generate
	UPDATE_GOLDEN=1 $(GO) test ./...
	UPDATE_GOLDEN=1 KUSTOMIZE="$(KUSTOMIZE)" hack/custom-generator-e2e.sh
	@git --no-pager diff --stat -- golden '**/testdata/**' README.md '**/README.md' || true

## e2e: the real kustomize binary on every example, compared with golden/;
## kpt (fn eval --exec and fn render --allow-exec, twice each) on every example
## kpt can run: the same objects, and no change on the second run; and
## examples/flux as Flux gets it: CI's render step, each partition built without
## plugins, together equal to the exec function's render, the Flux objects decoded
## with Flux's own API types and validated against its CRDs (hack/flux-e2e.sh, test/flux);
## and make custom-generator-e2e
e2e: build kpt custom-generator-e2e
	$(WITH_BIN) KUSTOMIZE="$(KUSTOMIZE)" KPT='$(KPT)' hack/e2e.sh
	$(WITH_BIN) KUSTOMIZE="$(KUSTOMIZE)" hack/flux-e2e.sh

## custom-generator-e2e: examples/custom-generator (its own module: novagen plus a
## generator) built into a temporary directory first on PATH, its tests run, and the
## real kustomize and its novagen build compared with golden/examples/custom-generator.yaml
## (UPDATE_GOLDEN=1 rewrites it; make golden does)
custom-generator-e2e:
	KUSTOMIZE="$(KUSTOMIZE)" hack/custom-generator-e2e.sh

## check-output: novagen check on the render and every example's golden output
## (what kustomize builds, as e2e proves); fails on any FAIL
CHECKED_OUTPUT := golden/render.yaml $(wildcard golden/examples/*.yaml)
check-output: build
	@set -e; for f in $(CHECKED_OUTPUT); do echo "== novagen check -f $$f"; bin/novagen check -f $$f; done

## conform: kubeconform -strict on every golden output, on the data tier's and the entry points'
## generator goldens (production shapes: KRaft brokers, Strimzi KafkaTopics...)
## and on the Argo CD objects and patches of deploy/argocd
DATA_TIER_GOLDEN := $(wildcard $(addprefix generators/,$(addsuffix /testdata/*/expected.yaml,postgres backup redis zookeeper kafka clickhouse apicontracts ingress networkpolicy monitoring tracing)))
# Everything in deploy/argocd but plugin.yaml (a config file, not an object)
# and the kustomization files (argocd-test builds those).
ARGOCD_MANIFESTS := $(filter-out %/plugin.yaml %/kustomization.yaml,$(wildcard deploy/argocd/*/*.yaml))
conform:
	$(TOOLS) kubeconform -strict -summary -schema-location '$(KUBECONFORM_SCHEMA_LOCATION)' \
		golden/render.yaml golden/examples/*.yaml $(DATA_TIER_GOLDEN) $(ARGOCD_MANIFESTS)

## fuzz: each Go fuzz target (loader, whole render, transformer, YAML emitter, JSON to nodes, the function, diff, init --service) for FUZZTIME seconds
FUZZTIME ?= 20
fuzz:
	hack/fuzz.sh $(FUZZTIME)

## bench: novagen render against helm template of bench/chart, side by side, on
## synthetic catalogs of 100, 1000 and 10000 services and on services.yaml
## (startup): time, allocations, peak RSS, objects, bytes, as Markdown tables
## (raw go test output in bench.txt; docs/performance.md says what is measured)
BENCH_FLAGS ?=
bench: helm
	$(GO) run ./internal/cmd/benchtable -go '$(GO)' -helm '$(HELM)' $(BENCH_FLAGS)

## bench-doc: make bench, and write its figures into docs/performance.md
bench-doc: helm
	$(GO) run ./internal/cmd/benchtable -go '$(GO)' -helm '$(HELM)' -doc docs/performance.md $(BENCH_FLAGS)

## helm: build the helm that bench/helm/go.mod pins, once, into the cache
## (NOVAGEN_CACHE, default ~/.cache/novagen; delete the directory to rebuild)
NOVAGEN_CACHE ?= $(HOME)/.cache/novagen
HELM_VERSION = $(shell awk '$$1 == "helm.sh/helm/v3" {print $$2}' bench/helm/go.mod)
HELM = $(NOVAGEN_CACHE)/helm-$(HELM_VERSION)/helm
helm:
	hack/go-build-cached.sh '$(HELM)' bench/helm helm.sh/helm/v3/cmd/helm \
		-trimpath -ldflags='-s -w -X helm.sh/helm/v3/internal/version.version=$(HELM_VERSION)'

## kpt: build the kpt that tools/kpt/go.mod pins, once, into the cache (as helm)
KPT_VERSION = $(shell awk '$$1 == "github.com/GoogleContainerTools/kpt" {print $$2}' tools/kpt/go.mod)
KPT = $(NOVAGEN_CACHE)/kpt-$(KPT_VERSION)/kpt
kpt:
	hack/go-build-cached.sh '$(KPT)' tools/kpt github.com/GoogleContainerTools/kpt \
		-trimpath -ldflags='-s -w -X github.com/GoogleContainerTools/kpt/run.version=$(KPT_VERSION)'

## scale-test: the tests -short skips, named *Scale* (go test -run Scale): a
## 10 000-service synthetic render, partitioned and not, every object under
## 256 KiB; each generator's objects at 10 000 services; the synthetic catalog
## loading at 10 000 services and more; the partitions of 2 000 services adding up
## to the whole render (without the race detector, which would take minutes)
scale-test:
	NOVAGEN_SCALE_TEST=1 $(GO) test -count=1 -run Scale -v ./...

## postgres-test: the generated SQL on a real PostgreSQL 15
postgres-test:
	test/postgres/run.sh

## backup-test: the PostgreSQL backup CronJob and restore Job, run from their rendered
## objects as the pods' UID against a real PostgreSQL 15 and a real S3 server
## (versitygw, built once into the cache): back up, write more, restore one database
## and the whole server, compare; retention, incomplete backups, a wrong secret
backup-test:
	test/backup/run.sh

## redis-test: the generated redis.conf and cluster scripts on real redis-server 7
redis-test:
	test/redis/run.sh

## apiserver-test: every example object through a real kube-apiserver (server-side dry run)
apiserver-test: build
	$(WITH_BIN) hack/apiserver-test.sh

## argocd-test: every example through a real argocd-repo-server v2.14.21, natively
## (kustomize buildOptions) and through the novagen plugin in argocd-cmp-server,
## equal to the local build; deploy/argocd's components on Argo CD's install.yaml
argocd-test:
	KUBECONFORM_SCHEMA_LOCATION='$(KUBECONFORM_SCHEMA_LOCATION)' test/argocd/run.sh

## rollout-test: examples/staging and examples/production synced by the real Argo CD
## application-controller onto simulated clusters (real kube-apiserver,
## kube-controller-manager and kube-scheduler; kwok nodes): first syncs with
## their wave timelines, a re-sync, adding a service, faults, deleting the
## Application (test/rollout/README.md)
rollout-test:
	test/rollout/run.sh

## verify-test: novagen verify against services.yaml's render on a simulated cluster
## (test/rollout's, without Argo CD): every check passes, then one injected fault per
## check is a FAIL (test/rollout/verify.sh)
verify-test:
	test/rollout/verify.sh

## partition-test: every partition of a 10 000-service synthetic catalog through the real
## kustomize + exec function, and the largest through argocd-repo-server + the novagen plugin,
## timed (max, total) against the 30 s bound; SERVICES, PARTITIONS, GENERATORS, LIMIT,
## ARGOCD_PARTITIONS tune it (hack/partition-test.sh)
partition-test:
	hack/partition-test.sh

ci:
	bash .ci/run

clean:
	rm -rf bin bench.txt

## image: the function image (Dockerfile: static novagen and kustomize on an
## empty base, non-root); needs a container engine. VERSION names the tag.
VERSION ?= 0.1.0
image:
	docker build --build-arg VERSION=v$(VERSION) --build-arg COMMIT=$(COMMIT) --build-arg MODIFIED=$(MODIFIED) -t novagen/novagen:$(VERSION) .

## image-test: what the image holds, without a container engine: the
## Dockerfile agrees with the project, and its binaries, built the same way,
## are static and render with an empty environment on a read-only filesystem
image-test:
	NOVAGEN_IMAGE_TEST=1 $(GO) test -count=1 -v ./test/image/
