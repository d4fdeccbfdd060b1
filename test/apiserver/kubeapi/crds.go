package kubeapi

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

// InstallCRDs applies (for real) every CustomResourceDefinition in files,
// waits until each is Established and its kinds are discoverable, and
// returns how many were installed. Server-side apply is required: the
// last-applied annotation of a client-side apply would exceed the 256 KiB
// annotation limit for the large external-secrets CRDs.
func (c *Client) InstallCRDs(ctx context.Context, files []string) (int, error) {
	var crds []*unstructured.Unstructured
	for _, f := range files {
		objs, err := ReadObjects(f)
		if err != nil {
			return 0, err
		}
		for _, obj := range objs {
			if obj.GetKind() != "CustomResourceDefinition" {
				return 0, fmt.Errorf("%s: %s %s is not a CustomResourceDefinition", f, obj.GetKind(), obj.GetName())
			}
			if _, err := c.Dyn.Resource(crdGVR).Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{FieldManager: FieldManager, Force: true}); err != nil {
				return 0, fmt.Errorf("%s: install CRD %s: %w", f, obj.GetName(), err)
			}
			crds = append(crds, obj)
		}
	}
	for _, crd := range crds {
		if err := c.waitEstablished(ctx, crd.GetName()); err != nil {
			return 0, err
		}
	}
	return len(crds), c.waitDiscoverable(ctx, crds)
}

func (c *Client) waitEstablished(ctx context.Context, name string) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, crdReadyTimeout, true, func(ctx context.Context) (bool, error) {
		crd, err := c.Dyn.Resource(crdGVR).Get(ctx, name, metav1.GetOptions{})
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
func (c *Client) waitDiscoverable(ctx context.Context, crds []*unstructured.Unstructured) error {
	var last error
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, crdReadyTimeout, true, func(ctx context.Context) (bool, error) {
		c.Mapper.Reset()
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
				if _, last = c.Mapper.RESTMapping(schema.GroupKind{Group: group, Kind: kind}, version); last != nil {
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
