package apiserver

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
)

const crdReadyTimeout = 60 * time.Second

var crdGVR = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// installCRDs applies (for real) every CustomResourceDefinition in dir,
// waits until each is Established and its kinds are discoverable, and
// returns how many were installed. Server-side apply is required: the
// last-applied annotation of a client-side apply would exceed the 256 KiB
// annotation limit for the large external-secrets CRDs.
func (h *harness) installCRDs(ctx context.Context, dir string) (int, error) {
	files, err := yamlFiles(dir)
	if err != nil {
		return 0, err
	}
	var crds []*unstructured.Unstructured
	for _, f := range files {
		objs, err := readObjects(f)
		if err != nil {
			return 0, err
		}
		for _, obj := range objs {
			if obj.GetKind() != "CustomResourceDefinition" {
				return 0, fmt.Errorf("%s: %s %s is not a CustomResourceDefinition", f, obj.GetKind(), obj.GetName())
			}
			if _, err := h.dyn.Resource(crdGVR).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: fieldManager, Force: true}); err != nil {
				return 0, fmt.Errorf("%s: install CRD %s: %w", f, obj.GetName(), err)
			}
			crds = append(crds, obj)
		}
	}
	for _, crd := range crds {
		if err := h.waitEstablished(ctx, crd.GetName()); err != nil {
			return 0, err
		}
	}
	return len(crds), h.waitDiscoverable(ctx, crds)
}

func (h *harness) waitEstablished(ctx context.Context, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, crdReadyTimeout, true, func(ctx context.Context) (bool, error) {
		crd, err := h.dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			last = err.Error()
			return false, nil
		}
		conds, _, _ := unstructured.NestedSlice(crd.Object, "status", "conditions")
		last = fmt.Sprintf("conditions: %v", conds)
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		return fmt.Errorf("CRD %s not Established after %s: %s", name, crdReadyTimeout, last)
	}
	return nil
}

// waitDiscoverable refreshes the RESTMapper until every served version of
// every CRD resolves: discovery is updated asynchronously after
// Established, and a stale mapper would report "no matches for kind".
func (h *harness) waitDiscoverable(ctx context.Context, crds []*unstructured.Unstructured) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, crdReadyTimeout, true, func(ctx context.Context) (bool, error) {
		h.mapper.Reset()
		for _, crd := range crds {
			group, _, _ := unstructured.NestedString(crd.Object, "spec", "group")
			kind, _, _ := unstructured.NestedString(crd.Object, "spec", "names", "kind")
			versions, _, _ := unstructured.NestedSlice(crd.Object, "spec", "versions")
			for _, v := range versions {
				m, _ := v.(map[string]any)
				if served, _ := m["served"].(bool); !served {
					continue
				}
				version, _ := m["name"].(string)
				if _, last = h.mapper.RESTMapping(schema.GroupKind{Group: group, Kind: kind}, version); last != nil {
					return false, nil
				}
			}
		}
		return true, nil
	})
	if err != nil {
		return fmt.Errorf("CRD kinds not discoverable after %s: %v", crdReadyTimeout, last)
	}
	return nil
}
