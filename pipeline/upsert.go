package pipeline

import (
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/kio/kioutil"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// identity is what makes two objects the same object to the API server
// (and to kustomize): group, kind, namespace and name. The version is not
// part of it: apps/v1 and apps/v1beta2 Deployments are the same object.
type identity struct {
	group, kind, namespace, name string
}

func identityOf(n *yaml.RNode) identity {
	group, _, found := strings.Cut(n.GetApiVersion(), "/")
	if !found {
		group = "" // the core group: apiVersion v1
	}
	return identity{group, n.GetKind(), n.GetNamespace(), n.GetName()}
}

// managed reports whether n carries novagen's managed-by label, i.e. is
// the output of an earlier run (kpt re-runs functions on a package that
// already holds their output).
func managed(n *yaml.RNode) bool {
	return n.GetLabels()[naming.LabelManagedBy] == kube.ManagedBy
}

// upserter adds generated objects to the existing items: one that an item
// managed by novagen already stands for replaces that item, in its place
// (so a run over its own output changes nothing, and the order of a kpt
// package stays), keeping the item's location annotations (the file and
// index kpt wrote it to); any other is added after the items. Only
// managed items are replaced: one config never drops what another
// generated (different identities), and a hand-written object with a
// generated one's identity stays beside it, a duplicate kustomize refuses,
// as before. A managed item no run generates any more (a service removed
// from the catalog) is kept: a run cannot tell it from what another
// config, environment or partition sharing the package generated.
type upserter struct {
	items []*yaml.RNode
	// owned maps the identity of each managed item to its positions:
	// the first is replaced, the others (an earlier run's duplicates) go.
	owned map[identity][]int
}

func newUpserter(items []*yaml.RNode) *upserter {
	u := &upserter{items: items, owned: map[identity][]int{}}
	for i, n := range items {
		if managed(n) {
			id := identityOf(n)
			u.owned[id] = append(u.owned[id], i)
		}
	}
	return u
}

// add places generated nodes.
func (u *upserter) add(nodes []*yaml.RNode) error {
	for _, n := range nodes {
		at, ok := u.owned[identityOf(n)]
		if !ok {
			u.items = append(u.items, n)
			continue
		}
		delete(u.owned, identityOf(n))
		if err := kioutil.CopyInternalAnnotations(u.items[at[0]], n); err != nil {
			return err
		}
		u.items[at[0]] = n
		for _, i := range at[1:] {
			u.items[i] = nil
		}
	}
	return nil
}

// result is the items with every generated object in place.
func (u *upserter) result() []*yaml.RNode {
	return slices.DeleteFunc(u.items, func(n *yaml.RNode) bool { return n == nil })
}
