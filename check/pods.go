package check

import (
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"
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
	Object      string // Kind/name of the object holding it
	Namespace   string
	Path        string // field path of the pod spec within Object, e.g. spec.template.spec
	Kind        string // the holding object's kind
	Labels      map[string]string
	Annotations map[string]string // Pod Security reads AppArmor profiles from them
	Spec        corev1.PodSpec
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
// read as a corev1.PodSpec (strictly: a misspelt field is an error too),
// or an object or field of another YAML kind than expected, is an error
// naming the object and field.
func Pods(nodes []*yaml.RNode) ([]Pod, error) {
	objs, err := objects(nodes)
	if err != nil {
		return nil, err
	}
	ps, err := pods(objs)
	if err != nil {
		return nil, err
	}
	return ps, nil
}

// pods returns the pod templates of objs, with every error among them.
func pods(objs []object) ([]Pod, error) {
	var out []Pod
	var errs inputErrors
	for _, o := range objs {
		if o.kind == kindCHI {
			ps, err := installationPods(o)
			errs.add(err)
			out = append(out, ps...)
			continue
		}
		path, ok := podTemplatePaths[o.kind]
		if !ok {
			continue
		}
		tmpl, err := o.root.require(yaml.MappingNode, path...)
		if err != nil {
			errs.add(err)
			continue
		}
		p, err := podOf(o, *tmpl)
		if err != nil {
			errs.add(err)
			continue
		}
		out = append(out, p)
	}
	return out, errs.orNil()
}

// installationPods are the pod templates of a ClickHouseInstallation.
func installationPods(o object) ([]Pod, error) {
	templates, err := o.root.require(yaml.SequenceNode, "spec", "templates", "podTemplates")
	if err != nil {
		return nil, err
	}
	var out []Pod
	var errs inputErrors
	for _, e := range templates.elements() {
		p, err := podOf(o, e)
		if err != nil {
			errs.add(err)
			continue
		}
		out = append(out, p)
	}
	return out, errs.orNil()
}

// podOf reads the pod template tmpl (its metadata and spec) of object o.
func podOf(o object, tmpl place) (Pod, error) {
	spec, err := tmpl.require(yaml.MappingNode, "spec")
	if err != nil {
		return Pod{}, err
	}
	p := Pod{Object: o.String(), Namespace: o.namespace, Kind: o.kind, Path: spec.field}
	if p.Labels, err = tmpl.stringMap("metadata", "labels"); err != nil {
		return Pod{}, err
	}
	if p.Annotations, err = tmpl.stringMap("metadata", "annotations"); err != nil {
		return Pod{}, err
	}
	if err := spec.decode(&p.Spec, true); err != nil {
		return Pod{}, err
	}
	return p, nil
}
