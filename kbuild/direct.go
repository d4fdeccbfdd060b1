package kbuild

import (
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resource"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/fns"
	"github.com/novagen/novagen/generators"
)

// localConfig is the annotation kustomize puts on a generator's config
// before handing it to the function as an item, and drops the objects
// carrying it from the build (konfig.IgnoredByKustomizeAnnotation).
const localConfig = "config.kubernetes.io/local-config"

// Direct runs a Plan without fallback reason in this process: each
// generator config on its own config as the one item (as kustomize's
// fnplugin does), the outputs accumulated in order, then each
// transformer config over all of them, with reg's generators and
// transformers and getenv the environment kustomize would pass the
// function. It returns the output, or why
// kustomize must run after all: what only kustomize settles (an id made
// twice, kustomize's own annotations, lists); errors are the function's,
// as `novagen fn` would report them.
func Direct(p *Plan, reg *generators.Registry, getenv func(string) string) ([]byte, string, error) {
	if p.Fallback != "" {
		return nil, p.Fallback, nil
	}
	dir, err := filepath.Abs(p.Dir)
	if err != nil {
		return nil, "", err
	}
	r := fns.Runner{Registry: reg, Dir: dir, Getenv: getenv}
	var all []*yaml.RNode
	for _, g := range p.Generators {
		item := g.Copy()
		if err := item.PipeE(yaml.SetAnnotation(localConfig, "true")); err != nil {
			return nil, "", err
		}
		out, err := r.Run(g, []*yaml.RNode{item})
		if err != nil {
			return nil, "", err
		}
		all = append(all, out...)
	}
	for _, t := range p.Transformers {
		if all, err = r.Run(t, all); err != nil {
			return nil, "", err
		}
	}
	if why := checkObjects(all); why != "" {
		return nil, why, nil
	}
	out, err := kustomizeYAML(all)
	return out, "", err
}

// reserved are the annotation prefixes kustomize and kyaml add, read or
// remove on the way (ids, paths, indexes, origins, hash and behaviour
// options, local configs): an object carrying one is kustomize's to build.
var reserved = []string{"config.kubernetes.io/", "internal.config.kubernetes.io/", "config.k8s.io/", "kustomize.config.k8s.io/", "alpha.config.kubernetes.io/"}

// checkObjects says why kustomize could print these objects otherwise
// than kustomizeYAML: an id twice (kustomize refuses it), a List (it
// inlines one), an object without kind or name, empty or non-string
// annotations (it rewrites them), a reserved annotation. The configs
// (local) are dropped, as kustomize drops them.
func checkObjects(nodes []*yaml.RNode) string {
	seen := map[string]bool{}
	for _, n := range nodes {
		meta := n.Field(yaml.MetadataField)
		id := fmt.Sprintf("%s %s %s", n.GetApiVersion(), n.GetKind(), n.GetName())
		switch {
		case n.YNode().Kind != yaml.MappingNode || meta == nil || meta.Value.YNode().Kind != yaml.MappingNode:
			return "an object without metadata"
		case n.GetKind() == "" || n.GetName() == "" || n.GetApiVersion() == "":
			return "an object without apiVersion, kind or name"
		case strings.HasSuffix(n.GetKind(), "List"):
			return "a " + n.GetKind()
		case seen[id]:
			return "two objects " + id
		}
		seen[id] = true
		if why := checkAnnotations(n, meta.Value); why != "" {
			return fmt.Sprintf("%s: %s", id, why)
		}
	}
	return ""
}

func checkAnnotations(n *yaml.RNode, meta *yaml.RNode) string {
	f := meta.Field(yaml.AnnotationsField)
	if f == nil {
		return ""
	}
	a := f.Value.YNode()
	if a.Kind != yaml.MappingNode || len(a.Content) == 0 {
		return "empty or malformed annotations"
	}
	local := n.GetKind() == fns.ConfigKind && n.GetApiVersion() == fns.ConfigAPIVersion
	for i := 0; i+1 < len(a.Content); i += 2 {
		k, v := a.Content[i], a.Content[i+1]
		if v.Kind != yaml.ScalarNode || v.Tag != yaml.NodeTagString {
			return "annotation " + k.Value + " is not a string"
		}
		if local {
			continue // a config: dropped below
		}
		for _, p := range reserved {
			if strings.HasPrefix(k.Value, p) {
				return "annotation " + k.Value
			}
		}
	}
	return ""
}

// kustomizeYAML prints nodes as `kustomize build` ends: local configs
// dropped (kustomize's own rule), the rest in its legacy order, each
// object as kustomize's Resource.AsYAML prints it (asYAML), "---" between them.
func kustomizeYAML(nodes []*yaml.RNode) ([]byte, error) {
	rf := provider.NewDefaultDepProvider().GetResourceFactory()
	res, err := rf.ResourcesFromRNodes(nodes)
	if err != nil {
		return nil, err
	}
	legacySort(res)
	return allYAML(res)
}

// The kinds kustomize's legacy order puts first and last
// (api/internal/builtins/SortOrderTransformer.go, not exported).
var (
	orderFirst = []string{"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount", "PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap", "Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume", "PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget"}
	orderLast  = []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}
	typeOrder  = func() map[string]int {
		m := map[string]int{}
		for i, k := range orderFirst {
			m[k] = -len(orderFirst) + i
		}
		for i, k := range orderLast {
			m[k] = 1 + i
		}
		return m
	}()
)

// legacySort is kustomize's legacy order (the CLI's default, --reorder
// legacy): by kind rank, then group/version/kind, then namespace and
// name. Ids are unique (checkObjects), so it is a total order.
func legacySort(res []*resource.Resource) {
	ids := make(map[*resource.Resource]resid.ResId, len(res))
	for _, r := range res {
		ids[r] = r.CurId()
	}
	sort.SliceStable(res, func(i, j int) bool {
		a, b := ids[res[i]], ids[res[j]]
		if !a.Gvk.Equals(b.Gvk) {
			return gvkLess(a.Gvk, b.Gvk)
		}
		return idString(a) < idString(b)
	})
}

func gvkLess(a, b resid.Gvk) bool {
	if ia, ib := typeOrder[a.Kind], typeOrder[b.Kind]; ia != ib {
		return ia < ib
	}
	if a.Kind == "Namespace" && b.Kind == "Namespace" && (a.Group == "" || b.Group == "") {
		return gvkString(a) > gvkString(b)
	}
	return gvkString(a) < gvkString(b)
}

func gvkString(x resid.Gvk) string {
	return orDefault(x.Group, "~G") + "_" + orDefault(x.Version, "~V") + "_" + orDefault(x.Kind, "~K")
}

func idString(id resid.ResId) string {
	return id.Gvk.String() + "|" + orDefault(id.Namespace, "~X") + "|" + orDefault(id.Name, "~N")
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
