package verify

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/validation"
)

// Expect is what the render of the catalog says the cluster holds:
// every expected name comes from its objects, none is written here.
type Expect struct {
	Namespace string
	objects   []*unstructured.Unstructured
}

// NewExpect indexes a render's objects (pipeline.Run's output) for the
// namespace verify reads (the catalog's, or --namespace's).
func NewExpect(namespace string, nodes []*yaml.RNode) (*Expect, error) {
	e := &Expect{Namespace: namespace}
	for _, n := range nodes {
		// Through JSON: unstructured's numbers are int64 and float64,
		// which only its own decoder gives.
		data, err := n.MarshalJSON()
		o := &unstructured.Unstructured{}
		if err == nil {
			err = o.UnmarshalJSON(data)
		}
		if err != nil {
			return nil, fmt.Errorf("rendered %s %s: %w", n.GetKind(), n.GetName(), err)
		}
		e.objects = append(e.objects, o)
	}
	return e, nil
}

// The generators whose objects a component's check reads, by the
// generator annotation every rendered object carries.
var componentGenerators = map[string][]string{
	CheckPostgres:   {"postgres"},
	CheckRedis:      {"redis"},
	CheckKafka:      {"kafka", "zookeeper"},
	CheckClickHouse: {"clickhouse"},
}

// The validation Job's check names (its init containers and report
// lines) that stand for one of verify's checks; the others (external,
// entry-points) are reported as CheckValidation.
var validationChecks = map[string]string{
	"postgres":   CheckPostgres,
	"redis":      CheckRedis,
	"kafka":      CheckKafka,
	"clickhouse": CheckClickHouse,
	"grpc":       CheckGRPC,
}

// generatorOf is the generator that rendered o.
func generatorOf(o *unstructured.Unstructured) string {
	return o.GetAnnotations()[kube.AnnotationGenerator]
}

// find is the rendered objects of kind, from any of gens (any generator
// when gens is empty), in render order.
func (e *Expect) find(kind string, gens ...string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, o := range e.objects {
		if o.GetKind() == kind && (len(gens) == 0 || slices.Contains(gens, generatorOf(o))) {
			out = append(out, o)
		}
	}
	return out
}

// has says whether the render has any object of gens.
func (e *Expect) has(gens []string) bool {
	for _, o := range e.objects {
		if slices.Contains(gens, generatorOf(o)) {
			return true
		}
	}
	return false
}

// StorageClasses are the classes the render's claims name (PVCs,
// StatefulSets' and ClickHouse installations' volume claim templates),
// sorted, and whether a claim names none (so a default class must exist);
// claims is how many claims there are.
func (e *Expect) StorageClasses() (named []string, needDefault bool, claims int) {
	seen := map[string]bool{}
	add := func(spec map[string]any) {
		claims++
		name, _, _ := unstructured.NestedString(spec, "storageClassName")
		if name == "" {
			needDefault = true
		} else if !seen[name] {
			seen[name] = true
			named = append(named, name)
		}
	}
	for _, o := range e.objects {
		var templates []any
		switch o.GetKind() {
		case "PersistentVolumeClaim":
			spec, _, _ := unstructured.NestedMap(o.Object, "spec")
			add(spec)
		case "StatefulSet":
			templates, _, _ = unstructured.NestedSlice(o.Object, "spec", "volumeClaimTemplates")
		case "ClickHouseInstallation":
			templates, _, _ = unstructured.NestedSlice(o.Object, "spec", "templates", "volumeClaimTemplates")
		}
		for _, t := range templates {
			if m, ok := t.(map[string]any); ok {
				spec, _, _ := unstructured.NestedMap(m, "spec")
				add(spec)
			}
		}
	}
	sort.Strings(named)
	return named, needDefault, claims
}

// SecretTarget is an ExternalSecret and the Secret it writes.
type SecretTarget struct {
	ExternalSecret, Secret string
	gvr                    schema.GroupVersionResource
}

// SecretTargets are the render's ExternalSecrets with their target
// Secrets (spec.target.name, or the ExternalSecret's own name).
func (e *Expect) SecretTargets() []SecretTarget {
	var out []SecretTarget
	for _, o := range e.find("ExternalSecret") {
		target, _, _ := unstructured.NestedString(o.Object, "spec", "target", "name")
		if target == "" {
			target = o.GetName()
		}
		out = append(out, SecretTarget{o.GetName(), target, gvrOf(o)})
	}
	return out
}

// InitJobs are the render's Jobs but the validation's (their names end in
// a hash of their spec: the current ones).
func (e *Expect) InitJobs() []string {
	var out []string
	for _, o := range e.find("Job") {
		if generatorOf(o) != validation.Name {
			out = append(out, o.GetName())
		}
	}
	return out
}

// ValidationJob is one of the render's validation Jobs and which of its
// checks (its init containers) stand for verify's.
type ValidationJob struct {
	Name   string
	Checks []string // verify's check names, in the Job's order
}

// ValidationJobs are the render's validation Jobs.
func (e *Expect) ValidationJobs() []ValidationJob {
	var out []ValidationJob
	for _, o := range e.find("Job", validation.Name) {
		j := ValidationJob{Name: o.GetName()}
		inits, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "initContainers")
		for _, c := range inits {
			m, _ := c.(map[string]any)
			name, _, _ := unstructured.NestedString(m, "name")
			if check, ok := validationChecks[name]; ok && !slices.Contains(j.Checks, check) {
				j.Checks = append(j.Checks, check)
			}
		}
		out = append(out, j)
	}
	return out
}

// hasComponent says whether the catalog has check's component: objects
// of its generators (managed here) or a validation check of it (provided
// from outside, checked from inside all the same).
func (e *Expect) hasComponent(check string) bool {
	if e.has(componentGenerators[check]) {
		return true
	}
	for _, j := range e.ValidationJobs() {
		if slices.Contains(j.Checks, check) {
			return true
		}
	}
	return false
}

// Workload is a rendered Deployment or StatefulSet.
type Workload struct{ Kind, Name string }

func (w Workload) String() string { return w.Kind + " " + w.Name }

// Workloads are the render's Deployments and StatefulSets, of gens only
// when given.
func (e *Expect) Workloads(gens ...string) []Workload {
	var out []Workload
	for _, o := range e.objects {
		if (o.GetKind() == "Deployment" || o.GetKind() == "StatefulSet") && (len(gens) == 0 || slices.Contains(gens, generatorOf(o))) {
			out = append(out, Workload{o.GetKind(), o.GetName()})
		}
	}
	return out
}

// GRPCService is a rendered Service with a gRPC port.
type GRPCService struct {
	Name, Port string
}

// GRPCServices are the render's Services with a port named grpc (or
// served as h2c), in render order.
func (e *Expect) GRPCServices() []GRPCService {
	var out []GRPCService
	for _, o := range e.find("Service") {
		ports, _, _ := unstructured.NestedSlice(o.Object, "spec", "ports")
		for _, p := range ports {
			m, _ := p.(map[string]any)
			name, _ := m["name"].(string)
			proto, _ := m["appProtocol"].(string)
			if name == "grpc" || strings.HasSuffix(proto, "h2c") || proto == "grpc" {
				out = append(out, GRPCService{o.GetName(), name})
				break
			}
		}
	}
	return out
}

// Contracts are the render's API contract ConfigMaps (the api-contracts
// generator's), whose data the cluster's must equal.
func (e *Expect) Contracts() []*unstructured.Unstructured {
	return e.find("ConfigMap", "api-contracts")
}

// ClickHouseInstallations are the render's installations.
func (e *Expect) ClickHouseInstallations() []*unstructured.Unstructured {
	return e.find("ClickHouseInstallation")
}

// KafkaTopics are the render's KafkaTopic objects (Strimzi mode).
func (e *Expect) KafkaTopics() []*unstructured.Unstructured {
	return e.find("KafkaTopic")
}

// PartOf is the catalog's part-of label, which its pods carry.
func (e *Expect) PartOf() string {
	for _, o := range e.objects {
		if v := o.GetLabels()[kube.LabelPartOf]; v != "" {
			return v
		}
	}
	return ""
}
