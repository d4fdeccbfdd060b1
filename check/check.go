// Package check runs offline checks over rendered manifests (the output
// of `novagen render` or of `kustomize build`): resources, probes and
// pinned images on every container, no plaintext secret, Pod Security
// "restricted", that Services, NetworkPolicies and wait-for init
// containers point at something that exists, and that no object is too
// large to apply. `novagen check` and the
// output tests share this one implementation.
package check

import (
	"fmt"
	"slices"

	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// Severity of a finding; a check's status is its worst finding's.
type Severity int

const (
	Pass Severity = iota
	Warn
	Fail
)

func (s Severity) String() string { return [...]string{"PASS", "WARN", "FAIL"}[s] }

// Finding is one problem, at an object and a field path within it.
type Finding struct {
	Severity Severity
	Object   string // Kind/name, or Kind/namespace/name outside the default namespace
	Field    string
	Message  string
}

// Result is what one check found over the whole input.
type Result struct {
	Name     string // short, stable: resources, probes...
	Title    string // what it requires, for the table
	Checked  int    // how many things it looked at
	Unit     string // what they are: containers, Services...
	Findings []Finding
}

// Status is the worst severity among the findings; Pass for none.
func (r Result) Status() Severity {
	s := Pass
	for _, f := range r.Findings {
		s = max(s, f.Severity)
	}
	return s
}

// Count returns how many findings have severity s.
func (r Result) Count(s Severity) int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Failed says whether any result has a FAIL.
func Failed(results []Result) bool {
	return slices.ContainsFunc(results, func(r Result) bool { return r.Status() == Fail })
}

// checker is one check over the indexed input.
type checker struct {
	name, title, unit string
	run               func(*input, *Result)
}

// checks run in this order, which is the table's.
var checks = []checker{
	{"resources", "every container has requests.cpu, requests.memory and limits.memory", "containers", checkResources},
	{"probes", "long-running containers have readiness and liveness probes", "containers", checkProbes},
	{"images", "every image is pinned (a tag other than latest, or a digest)", "containers", checkImages},
	{"secrets", "no plaintext secret (Secret data, secret-named env values, credentials in URLs)", "values", checkSecrets},
	{"pod-security", `every pod meets Pod Security "restricted"`, "pods", checkPodSecurity},
	{"service-selectors", "every Service selects pods (or is ExternalName, or has an EndpointSlice)", "Services", checkServices},
	{"networkpolicy-selectors", "every NetworkPolicy's podSelector selects a pod", "NetworkPolicies", checkNetworkPolicies},
	{"servicemonitor-targets", "every ServiceMonitor endpoint selects a Service port whose pods a NetworkPolicy admits on it, every PodMonitor endpoint a container port a NetworkPolicy admits", "ServiceMonitor and PodMonitor endpoints", checkServiceMonitors},
	{"wait-for-targets", "every wait-for-<x> init container waits for a Service that exists", "wait-for containers", checkWaits},
	{"policy-reachability", "the NetworkPolicies let every wait-for container's pod reach the pods of its Service on that port, and admit some pod of another namespace to every Ingress/HTTPRoute backend", "waits and route backends", checkReachability},
	{"object-size", "every object's YAML is under 1 MiB (FAIL) and under 256 KiB, the annotation limit Argo CD's client-side apply runs into (WARN)", "objects", checkObjectSizes},
}

// Names lists the checks in table order.
func Names() []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.name)
	}
	return out
}

// Run checks nodes, every object of one rendered output read from
// source (a file name, or <stdin>), and returns one Result per check.
// Input it cannot read (a document that is no object, a field of
// another YAML kind than expected, a pod spec that is not one) is an
// error: load.Errors, each naming the object and field at
// source:line:column.
func Run(source string, nodes []*yaml.RNode) ([]Result, error) {
	in, err := index(nodes)
	if err != nil {
		var errs inputErrors
		errs.add(err)
		return nil, errs.located(source)
	}
	out := make([]Result, len(checks))
	for i, c := range checks {
		out[i] = Result{Name: c.name, Title: c.title, Unit: c.unit}
		c.run(in, &out[i])
	}
	return out, nil
}

// add records a finding on r.
func (r *Result) add(s Severity, object, field, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Severity: s, Object: object, Field: field, Message: fmt.Sprintf(format, args...)})
}
