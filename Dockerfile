# The novagen function image: novagen and the pinned kustomize, both static
# (CGO_ENABLED=0), on an empty base with nothing else: no shell, no package
# manager, no libc, numeric non-root user. One image serves as
#   - the Argo CD Config Management Plugin sidecar (deploy/argocd/cmp: Argo
#     CD's argocd-cmp-server is the command; novagen and kustomize are on PATH),
#   - the init container of the no-sidecar path (novagen copy-self DIR),
#   - a containerized KRM function (container: {image: ...}; ENTRYPOINT fn).
# Build: make image (docker build -t novagen/novagen:$(VERSION) .)
#
# The base is scratch rather than a distroless image: the same content
# (nothing) without a pull from another registry. Go's version here is the
# toolchain the project builds with; test/image checks it matches go.mod's.
FROM golang:1.26.8 AS build
WORKDIR /src
COPY go.mod go.sum ./
COPY tools/go.mod tools/go.sum tools/
RUN go mod download && go mod download -modfile=tools/go.mod
COPY . .
ENV CGO_ENABLED=0 GOFLAGS=-trimpath
# No .git in the context (.dockerignore): make image passes what novagen
# version prints.
ARG VERSION="" COMMIT="" MODIFIED=""
RUN go build -ldflags="-s -w -X github.com/novagen/novagen/cli.version=${VERSION} -X github.com/novagen/novagen/cli.commit=${COMMIT} -X github.com/novagen/novagen/cli.modified=${MODIFIED}" -o /out/novagen ./cmd/novagen \
 && go build -modfile=tools/go.mod -ldflags="-s -w" -o /out/kustomize sigs.k8s.io/kustomize/kustomize/v5

FROM scratch
COPY --from=build /out/novagen /out/kustomize /usr/local/bin/
ENV PATH=/usr/local/bin
# 65532: the conventional "nonroot" UID of static images; no passwd entry
# is needed (nothing here looks one up).
USER 65532:65532
ENTRYPOINT ["novagen"]
CMD ["fn"]
