//go:build tools

// Package tools pins argo-cd's multi-call binary so that `go mod tidy` keeps
// its dependencies in go.sum; build-argocd.sh builds it with `go build`.
package tools

import _ "github.com/argoproj/argo-cd/v2/cmd"
