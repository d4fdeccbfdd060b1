//go:build tools

// Package tools pins the Kubernetes components the harnesses run, so that
// `go mod tidy` keeps their dependencies in go.sum: kube-apiserver
// (test/apiserver, test/rollout), kube-controller-manager, kube-scheduler
// and kwok (test/rollout). The harnesses build them with `go build`
// (build.sh); one module, so the four share every compiled package.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
