// Package output holds the checks that apply to everything novagen
// renders, whichever generator made it: every pod template meets Pod
// Security "restricted" and has resources and a pinned image, and every
// shell script passes shellcheck. They run on the full render of
// services.yaml (all generators, then all transformers), so a generator
// added later is covered without touching this package.
package output

import (
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/novagen/novagen/pipeline"
)

// podSpecPaths says where each workload kind keeps its pod spec.
var podSpecPaths = map[string][]string{
	"Pod":         {"spec"},
	"Deployment":  {"spec", "template", "spec"},
	"StatefulSet": {"spec", "template", "spec"},
	"DaemonSet":   {"spec", "template", "spec"},
	"ReplicaSet":  {"spec", "template", "spec"},
	"Job":         {"spec", "template", "spec"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template", "spec"},
}

// pod is one pod template of the rendered output.
type pod struct {
	where string // Kind/name
	spec  corev1.PodSpec
}

// containers returns init, regular and ephemeral containers alike.
func (p pod) containers() []corev1.Container {
	out := append(append([]corev1.Container{}, p.spec.InitContainers...), p.spec.Containers...)
	for _, e := range p.spec.EphemeralContainers {
		out = append(out, corev1.Container(e.EphemeralContainerCommon))
	}
	return out
}

// renderedPods renders every test catalog (services.yaml first) the way
// `novagen render` does and returns every pod template; it fails when
// there is none, so the checks that use it cannot pass on nothing.
func renderedPods(t *testing.T) []pod {
	t.Helper()
	var out []pod
	for _, c := range loadTestCatalogs(t) {
		nodes, err := pipeline.Run(c.cat, pipeline.Options{}, nil)
		if err != nil {
			t.Fatal(err)
		}
		pods, err := podsOf(c.name, nodes)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pods...)
	}
	if len(out) == 0 {
		t.Fatal("the render has no pod templates")
	}
	return out
}

// podsOf returns the pod templates among nodes.
func podsOf(catalog string, nodes []*yaml.RNode) ([]pod, error) {
	var out []pod
	for _, n := range nodes {
		if n.GetKind() == "ClickHouseInstallation" {
			pods, err := installationPods(n)
			if err != nil {
				return nil, err
			}
			for _, p := range pods {
				p.where = catalog + ": " + p.where
				out = append(out, p)
			}
			continue
		}
		path, ok := podSpecPaths[n.GetKind()]
		if !ok {
			continue
		}
		p, err := podOf(n, path)
		if err != nil {
			return nil, err
		}
		p.where = catalog + ": " + p.where
		out = append(out, p)
	}
	return out, nil
}

// installationPods are the pod templates of a ClickHouseInstallation
// (spec.templates.podTemplates[].spec): the operator runs every host's
// pod from them.
func installationPods(n *yaml.RNode) ([]pod, error) {
	templates, err := n.Pipe(yaml.Lookup("spec", "templates", "podTemplates"))
	if err != nil || templates == nil {
		return nil, fmt.Errorf("ClickHouseInstallation/%s: no pod templates (%v)", n.GetName(), err)
	}
	elems, err := templates.Elements()
	if err != nil {
		return nil, err
	}
	var out []pod
	for _, e := range elems {
		p, err := podOf(e, []string{"spec"})
		if err != nil {
			return nil, err
		}
		p.where = "ClickHouseInstallation/" + n.GetName() + "/" + yaml.GetValue(e.Field("name").Value)
		out = append(out, p)
	}
	return out, nil
}

func podOf(n *yaml.RNode, path []string) (pod, error) {
	where := n.GetKind() + "/" + n.GetName()
	spec, err := n.Pipe(yaml.Lookup(path...))
	if err != nil || spec == nil {
		return pod{}, fmt.Errorf("%s: no pod spec at %v (%v)", where, path, err)
	}
	s, err := spec.String()
	if err != nil {
		return pod{}, err
	}
	p := pod{where: where}
	// Strict: a misspelt field in generated output is a bug too.
	if err := sigsyaml.UnmarshalStrict([]byte(s), &p.spec); err != nil {
		return pod{}, fmt.Errorf("%s: %w", where, err)
	}
	return p, nil
}
