package check

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
	sigsyaml "sigs.k8s.io/yaml"
)

// podTemplatePaths says where each workload kind keeps its pod template
// (metadata and spec); a Pod is its own template.
var podTemplatePaths = map[string][]string{
	"Pod":         nil,
	"Deployment":  {"spec", "template"},
	"StatefulSet": {"spec", "template"},
	"DaemonSet":   {"spec", "template"},
	"ReplicaSet":  {"spec", "template"},
	"Job":         {"spec", "template"},
	"CronJob":     {"spec", "jobTemplate", "spec", "template"},
}

// runsToCompletion are the kinds whose pods finish: no probes needed.
var runsToCompletion = map[string]bool{"Job": true, "CronJob": true}

// Pod is one pod template of the input: a workload's, or one of a
// ClickHouseInstallation's (the Altinity operator runs every host's pod
// from spec.templates.podTemplates[], labelled with the template's
// metadata.labels).
type Pod struct {
	Object    string // Kind/name of the object holding it
	Namespace string
	Path      string // field path of the pod spec within Object, e.g. spec.template.spec
	Kind      string // the holding object's kind
	Labels    map[string]string
	Spec      corev1.PodSpec
}

// Where names the pod for people: Object, and the template for a
// ClickHouseInstallation.
func (p Pod) Where() string { return p.Object + " " + p.Path }

// Completes says the pod runs to completion (a Job's or CronJob's).
func (p Pod) Completes() bool { return runsToCompletion[p.Kind] }

// ByOperator says an operator builds the real pod from this template.
func (p Pod) ByOperator() bool { return p.Kind == kindCHI }

// Containers returns init, regular and ephemeral containers alike.
func (p Pod) Containers() []corev1.Container {
	out := append(append([]corev1.Container{}, p.Spec.InitContainers...), p.Spec.Containers...)
	for _, e := range p.Spec.EphemeralContainers {
		out = append(out, corev1.Container(e.EphemeralContainerCommon))
	}
	return out
}

const kindCHI = "ClickHouseInstallation"

// Pods returns the pod templates among nodes. A pod spec that does not
// read as a corev1.PodSpec (strictly: a misspelt field is an error too)
// is an error naming the object and field.
func Pods(nodes []*yaml.RNode) ([]Pod, error) {
	var out []Pod
	for _, n := range nodes {
		if n.GetKind() == kindCHI {
			pods, err := installationPods(n)
			if err != nil {
				return nil, err
			}
			out = append(out, pods...)
			continue
		}
		path, ok := podTemplatePaths[n.GetKind()]
		if !ok {
			continue
		}
		p, err := podOf(n, n, path)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// installationPods are the pod templates of a ClickHouseInstallation.
func installationPods(n *yaml.RNode) ([]Pod, error) {
	templates, err := n.Pipe(yaml.Lookup("spec", "templates", "podTemplates"))
	if err != nil || templates == nil {
		return nil, fmt.Errorf("%s/%s: no spec.templates.podTemplates (%v)", kindCHI, n.GetName(), err)
	}
	elems, err := templates.Elements()
	if err != nil {
		return nil, fmt.Errorf("%s/%s: spec.templates.podTemplates: %w", kindCHI, n.GetName(), err)
	}
	var out []Pod
	for i, e := range elems {
		p, err := podOf(n, e, nil)
		if err != nil {
			return nil, err
		}
		p.Path = fmt.Sprintf("spec.templates.podTemplates[%d].spec", i)
		out = append(out, p)
	}
	return out, nil
}

// podOf reads the pod template at path under tmpl (within object n).
func podOf(n, tmpl *yaml.RNode, path []string) (Pod, error) {
	p := Pod{Object: n.GetKind() + "/" + n.GetName(), Namespace: n.GetNamespace(), Kind: n.GetKind(), Path: strings.Join(append(path, "spec"), ".")}
	t, err := tmpl.Pipe(yaml.Lookup(path...))
	if err != nil || t == nil {
		return Pod{}, fmt.Errorf("%s: no pod template at %s (%v)", p.Object, strings.Join(path, "."), err)
	}
	p.Labels = t.GetLabels()
	spec, err := t.Pipe(yaml.Lookup("spec"))
	if err != nil || spec == nil {
		return Pod{}, fmt.Errorf("%s: no pod spec at %s (%v)", p.Object, p.Path, err)
	}
	s, err := spec.String()
	if err != nil {
		return Pod{}, fmt.Errorf("%s: %s: %w", p.Object, p.Path, err)
	}
	if err := sigsyaml.UnmarshalStrict([]byte(s), &p.Spec); err != nil {
		return Pod{}, fmt.Errorf("%s: %s: %w", p.Object, p.Path, err)
	}
	return p, nil
}
