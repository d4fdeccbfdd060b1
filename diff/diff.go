// Package diff compares two renders object by object: which objects a
// catalog change adds, removes or changes, grouped by the catalog service
// (or infrastructure component) they belong to, with the field paths
// that changed. It answers "what does this catalog change do to the
// cluster" for a pull request.
package diff

import (
	"cmp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Op is what happened to an object.
type Op string

const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Shared names the group of objects no single catalog node owns (the
// Namespace, the headless discovery Service, the migration Job...).
const Shared = "(shared)"

// Change is one object that differs.
type Change struct {
	Op     Op
	Object string   // Kind/name; a renamed Job: Kind/old → new
	Paths  []string // Changed: the field paths that differ, in document order, a changed value's as path: old → new
}

// Group is the changes of one catalog node, or the shared ones.
type Group struct {
	Name    string
	Changes []Change
}

// Report is every change, grouped; groups by name, Shared last.
type Report struct {
	Groups []Group
}

// Count returns how many changes of op the report holds.
func (r Report) Count(op Op) int {
	n := 0
	for _, g := range r.Groups {
		for _, c := range g.Changes {
			if c.Op == op {
				n++
			}
		}
	}
	return n
}

// Compare diffs the render of catalog old (oldNodes) against that of
// catalog new (newNodes).
func Compare(old, new *catalog.Catalog, oldNodes, newNodes []*yaml.RNode) Report {
	g := newGrouper(old, new)
	before, after := keyed(oldNodes), keyed(newNodes)
	groups := map[string][]Change{}
	add := func(n *yaml.RNode, c Change) {
		name := g.group(n)
		groups[name] = append(groups[name], c)
	}
	for _, k := range sortedKeys(before) {
		o := before[k]
		n, ok := after[k]
		switch {
		case !ok:
			add(o, Change{Op: Removed, Object: objectName(o)})
		default:
			if paths := fieldDiff(o.YNode(), n.YNode(), secretValues(n)); len(paths) > 0 {
				name := objectName(o)
				if n.GetName() != o.GetName() {
					name += " → " + n.GetName()
				}
				add(n, Change{Op: Changed, Object: name, Paths: paths})
			}
		}
	}
	for _, k := range sortedKeys(after) {
		if _, ok := before[k]; !ok {
			add(after[k], Change{Op: Added, Object: objectName(after[k])})
		}
	}
	var r Report
	for name, cs := range groups {
		slices.SortStableFunc(cs, func(a, b Change) int {
			return cmp.Or(cmp.Compare(opRank[a.Op], opRank[b.Op]), strings.Compare(a.Object, b.Object))
		})
		r.Groups = append(r.Groups, Group{name, cs})
	}
	slices.SortFunc(r.Groups, func(a, b Group) int {
		return cmp.Or(cmp.Compare(sharedLast(a.Name), sharedLast(b.Name)), strings.Compare(a.Name, b.Name))
	})
	return r
}

func sharedLast(group string) int {
	if group == Shared {
		return 1
	}
	return 0
}

var opRank = map[Op]int{Added: 0, Removed: 1, Changed: 2}

func sortedKeys(m map[string]*yaml.RNode) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// keyed indexes objects by identity: API group, kind, namespace and
// name. A Job's name ends in a hash of its spec, so a Job is known by its
// app.kubernetes.io/name instead: a changed spec is the same Job changed,
// not one removed and another added.
func keyed(nodes []*yaml.RNode) map[string]*yaml.RNode {
	out := map[string]*yaml.RNode{}
	for _, n := range nodes {
		group, _, _ := strings.Cut(n.GetApiVersion(), "/")
		if !strings.Contains(n.GetApiVersion(), "/") {
			group = "" // the core group: v1
		}
		id := n.GetName()
		if n.GetKind() == "Job" {
			if l := n.GetLabels()[kube.LabelName]; l != "" {
				id = "label:" + l
			}
		}
		k := strings.Join([]string{group, n.GetKind(), n.GetNamespace(), id}, "/")
		if _, dup := out[k]; dup {
			// Two Jobs of one label: fall back to their names.
			k = strings.Join([]string{group, n.GetKind(), n.GetNamespace(), n.GetName()}, "/")
		}
		out[k] = n
	}
	return out
}

// secretValues says which paths of n hold secret values: a Secret's
// data and stringData, whose values a report never shows.
func secretValues(n *yaml.RNode) func(string) bool {
	if n.GetKind() != "Secret" {
		return nil
	}
	return func(path string) bool {
		return strings.HasPrefix(path, "data") || strings.HasPrefix(path, "stringData")
	}
}

func objectName(n *yaml.RNode) string { return n.GetKind() + "/" + n.GetName() }

// grouper says which catalog node an object belongs to, from the
// catalogs on both sides (a removed service is still a group).
type grouper struct {
	services   map[string]bool
	derived    map[string]string // a per-service object's name -> service (<svc>-db...)
	components []string          // infrastructure and external nodes, longest first
}

func newGrouper(cats ...*catalog.Catalog) grouper {
	g := grouper{services: map[string]bool{}, derived: map[string]string{}}
	for _, c := range cats {
		for _, e := range c.Endpoints() {
			if e.Kind == catalog.KindService {
				g.services[e.Name] = true
				g.derived[naming.DBSecret(e.Name)] = e.Name
				g.derived[naming.ClickHouseSecret(e.Name)] = e.Name
			} else if !slices.Contains(g.components, e.Name) {
				g.components = append(g.components, e.Name)
			}
		}
	}
	slices.SortFunc(g.components, func(a, b string) int { return cmp.Or(len(b)-len(a), strings.Compare(a, b)) })
	return g
}

// group: the node the object names (novagen.nova.dev/node, else its
// app.kubernetes.io/name); an object named after a service's derived
// name belongs to the service; one named <component>-… (postgres-admin,
// redis-cluster-init) to the component; anything else is Shared.
func (g grouper) group(n *yaml.RNode) string {
	owner := n.GetAnnotations()[kube.AnnotationNode]
	if owner == "" {
		owner = cmp.Or(n.GetLabels()[kube.LabelName], n.GetName())
	}
	if g.services[owner] {
		return owner
	}
	if s, ok := g.derived[owner]; ok {
		return s
	}
	for _, c := range g.components {
		if owner == c || strings.HasPrefix(owner, c+"-") {
			return c
		}
	}
	return Shared
}
