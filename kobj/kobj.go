// Package kobj declares what a generated Kubernetes object is to the rest
// of novagen: the generators build it (generators/kube.Object is this
// type) and render prints it. It sits below both, so the YAML writer
// depends on no generator and no catalog.
package kobj

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Object is any generated Kubernetes object: typed structs from k8s.io/api
// or the CRD types of this module.
type Object interface {
	metav1.Object
	GetObjectKind() schema.ObjectKind
}
