package verify

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/novagen/novagen/generators/kube"
)

// The checks' names, in the seed script's order.
const (
	CheckNamespace    = "namespace"
	CheckStorageClass = "storage-class"
	CheckSecrets      = "secrets"
	CheckInitJobs     = "init-jobs"
	CheckPostgres     = "postgres"
	CheckRedis        = "redis"
	CheckKafka        = "kafka"
	CheckClickHouse   = "clickhouse"
	CheckPodsReady    = "pods-ready"
	CheckGRPC         = "grpc-discovery"
	CheckProtos       = "proto-definitions"
	CheckLimits       = "resource-limits"
	CheckLogs         = "error-logs"
	// CheckValidation carries the validation Job's lines that stand for
	// none of the 13 (external components, entry points).
	CheckValidation = "validation"
)

// Options bound what verify reads of logs.
type Options struct {
	LogSince int64 // seconds of log read per container
	LogTail  int64 // lines read per container
}

// DefaultOptions: the last hour, at most 200 lines a container.
var DefaultOptions = Options{LogSince: 3600, LogTail: 200}

// run is one verify: the cluster, what the render expects, and the
// validation Jobs' results, read once.
type run struct {
	ctx        context.Context
	c          Cluster
	e          *Expect
	opts       Options
	validation map[string][]Fact // by verify check
	facts      []Fact
}

func (r *run) add(check string, s Status, format string, args ...any) {
	r.facts = append(r.facts, Fact{check, s, fmt.Sprintf(format, args...)})
}

// checks is the table: each check a small function adding its facts.
var checks = []struct {
	name string
	fn   func(*run, string)
}{
	{CheckNamespace, (*run).namespace},
	{CheckStorageClass, (*run).storageClass},
	{CheckSecrets, (*run).secrets},
	{CheckInitJobs, (*run).initJobs},
	{CheckPostgres, (*run).component},
	{CheckRedis, (*run).component},
	{CheckKafka, (*run).component},
	{CheckClickHouse, (*run).component},
	{CheckPodsReady, (*run).podsReady},
	{CheckGRPC, (*run).grpc},
	{CheckProtos, (*run).protos},
	{CheckLimits, (*run).limits},
	{CheckLogs, (*run).logs},
	{CheckValidation, (*run).otherValidation},
}

// Run runs every check against c and returns the report.
func Run(ctx context.Context, c Cluster, e *Expect, opts Options) Report {
	r := &run{ctx: ctx, c: c, e: e, opts: opts}
	r.validation = r.readValidation()
	for _, ch := range checks {
		n := len(r.facts)
		ch.fn(r, ch.name)
		if len(r.facts) == n && ch.name != CheckValidation {
			r.add(ch.name, Skip, "nothing of the catalog to check")
		}
	}
	return Report{Namespace: e.Namespace, Facts: r.facts}
}

// failed reports an API error on check: a missing object or a refusal.
func (r *run) failed(check, what string, err error) {
	switch {
	case apierrors.IsNotFound(err):
		r.add(check, Fail, "%s does not exist", what)
	case apierrors.IsForbidden(err):
		r.add(check, Fail, "%s: access denied: %v", what, err)
	default:
		r.add(check, Fail, "%s: %v", what, err)
	}
}

// access is what verify reads, each asked of a SelfSubjectAccessReview.
var access = []struct{ verb, group, resource, sub string }{
	{"get", "", "namespaces", ""},
	{"list", "", "pods", ""},
	{"get", "", "pods", "log"},
	{"get", "", "secrets", ""},
	{"get", "", "configmaps", ""},
	{"list", "batch", "jobs", ""},
	{"list", "apps", "deployments", ""},
	{"list", "apps", "statefulsets", ""},
	{"list", "discovery.k8s.io", "endpointslices", ""},
}

func (r *run) namespace(check string) {
	ns := r.e.Namespace
	obj, err := r.c.Get(r.ctx, gvrNamespace, "", ns)
	if err != nil {
		r.failed(check, "namespace "+ns, err)
	} else if phase, _, _ := unstructured.NestedString(obj.Object, "status", "phase"); phase != "" && phase != "Active" {
		r.add(check, Fail, "namespace %s is %s", ns, phase)
	} else {
		r.add(check, Pass, "namespace %s exists", ns)
	}
	var denied []string
	for _, a := range access {
		ok, err := r.allowed(a.verb, a.group, a.resource, a.sub)
		if err != nil {
			r.add(check, Fail, "cannot ask the API server what verify may read (SelfSubjectAccessReview): %v", err)
			return
		}
		if !ok {
			res := a.resource
			if a.sub != "" {
				res += "/" + a.sub
			}
			denied = append(denied, a.verb+" "+res)
		}
	}
	if len(denied) > 0 {
		r.add(check, Fail, "access denied in namespace %s: %s", ns, strings.Join(denied, ", "))
		return
	}
	r.add(check, Pass, "access: may %d verbs on the resources verify reads in %s", len(access), ns)
}

// allowed asks the API server whether the caller may verb resource.
func (r *run) allowed(verb, group, resource, sub string) (bool, error) {
	attrs := map[string]any{"namespace": r.e.Namespace, "verb": verb, "group": group, "resource": resource}
	if resource == "namespaces" {
		attrs["name"] = r.e.Namespace
	}
	if sub != "" {
		attrs["subresource"] = sub
	}
	review := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
		"spec": map[string]any{"resourceAttributes": attrs},
	}}
	out, err := r.c.Create(r.ctx, gvrAccessReview, review)
	if err != nil {
		return false, err
	}
	ok, _, _ := unstructured.NestedBool(out.Object, "status", "allowed")
	return ok, nil
}

func (r *run) storageClass(check string) {
	named, needDefault, claims := r.e.StorageClasses()
	if claims == 0 {
		return
	}
	for _, name := range named {
		if _, err := r.c.Get(r.ctx, gvrStorageClass, "", name); err != nil {
			r.failed(check, "StorageClass "+name+" (named by the catalog's volume claims)", err)
		} else {
			r.add(check, Pass, "StorageClass %s exists", name)
		}
	}
	if !needDefault {
		return
	}
	list, err := r.c.List(r.ctx, gvrStorageClass, "", "")
	if err != nil {
		r.failed(check, "StorageClasses", err)
		return
	}
	for _, sc := range list {
		if sc.GetAnnotations()["storageclass.kubernetes.io/is-default-class"] == "true" {
			r.add(check, Pass, "default StorageClass %s for the claims that name none", sc.GetName())
			return
		}
	}
	r.add(check, Fail, "no default StorageClass: the catalog's volume claims that name no class stay Pending")
}

func (r *run) secrets(check string) {
	targets := r.e.SecretTargets()
	bad := 0
	for _, t := range targets {
		if _, err := r.c.Get(r.ctx, gvrSecret, r.e.Namespace, t.Secret); err != nil {
			bad++
			r.failed(check, fmt.Sprintf("Secret %s (ExternalSecret %s's target)", t.Secret, t.ExternalSecret), err)
			continue
		}
		es, err := r.c.Get(r.ctx, t.gvr, r.e.Namespace, t.ExternalSecret)
		if err != nil {
			bad++
			r.failed(check, "ExternalSecret "+t.ExternalSecret, err)
			continue
		}
		if ok, why := conditionTrue(es, "Ready"); !ok {
			bad++
			r.add(check, Fail, "ExternalSecret %s is not Ready: %s", t.ExternalSecret, why)
		}
	}
	if len(targets) > 0 && bad == 0 {
		r.add(check, Pass, "%d ExternalSecrets Ready, their Secrets exist", len(targets))
	}
}

// conditionTrue says whether obj's status condition typ is True, and
// if not, why (its reason and message).
func conditionTrue(obj *unstructured.Unstructured, typ string) (bool, string) {
	conds, _, _ := unstructured.NestedSlice(obj.Object, "status", "conditions")
	for _, c := range conds {
		m, _ := c.(map[string]any)
		if m["type"] != typ {
			continue
		}
		if m["status"] == "True" {
			return true, ""
		}
		return false, fmt.Sprintf("%v: %v", m["reason"], m["message"])
	}
	return false, "no " + typ + " condition yet"
}

// jobState is a Job's state: complete, failed (with why) or running.
func jobState(job *batchv1.Job) (Status, string) {
	for _, c := range job.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return Pass, "completed"
		case batchv1.JobFailed:
			return Fail, fmt.Sprintf("failed (%s: %s)", c.Reason, c.Message)
		}
	}
	return Warn, fmt.Sprintf("not complete yet (%d active, %d failed pods)", job.Status.Active, job.Status.Failed)
}

func (r *run) getJob(name string) (*batchv1.Job, error) {
	u, err := r.c.Get(r.ctx, gvrJob, r.e.Namespace, name)
	if err != nil {
		return nil, err
	}
	return typed[batchv1.Job](u)
}

func (r *run) initJobs(check string) {
	jobs := r.e.InitJobs()
	done := 0
	for _, name := range jobs {
		job, err := r.getJob(name)
		if err != nil {
			r.failed(check, "Job "+name+" (this render's: its name ends in its spec's hash)", err)
			continue
		}
		if s, what := jobState(job); s != Pass {
			r.add(check, s, "Job %s %s", name, what)
			continue
		}
		done++
	}
	if done > 0 && done == len(jobs) {
		r.add(check, Pass, "%d Jobs of this render completed: %s", done, strings.Join(jobs, ", "))
	}
}

// component checks PostgreSQL, Redis, Kafka or ClickHouse: its
// workloads ready (what the API shows) and the validation Job's lines
// for it (what only a pod inside can reach).
func (r *run) component(check string) {
	if !r.e.hasComponent(check) {
		return
	}
	r.workloadsReady(check, r.e.Workloads(componentGenerators[check]...))
	switch check {
	case CheckClickHouse:
		r.clickhouse(check)
	case CheckKafka:
		r.readyObjects(check, r.e.KafkaTopics())
	}
	r.facts = append(r.facts, r.validation[check]...)
}

// readyObjects checks that each rendered custom resource is Ready.
func (r *run) readyObjects(check string, objs []*unstructured.Unstructured) {
	for _, o := range objs {
		kind, name := o.GetKind(), o.GetName()
		obj, err := r.c.Get(r.ctx, gvrOf(o), r.e.Namespace, name)
		if err != nil {
			r.failed(check, kind+" "+name, err)
		} else if ok, why := conditionTrue(obj, "Ready"); !ok {
			r.add(check, Fail, "%s %s is not Ready: %s", kind, name, why)
		} else {
			r.add(check, Pass, "%s %s is Ready", kind, name)
		}
	}
}

// clickhouse checks each installation: its operator's StatefulSets
// ready, and its status when the operator reports one.
func (r *run) clickhouse(check string) {
	for _, o := range r.e.ClickHouseInstallations() {
		name := o.GetName()
		chi, err := r.c.Get(r.ctx, gvrOf(o), r.e.Namespace, name)
		if err != nil {
			r.failed(check, "ClickHouseInstallation "+name, err)
			continue
		}
		switch status, _, _ := unstructured.NestedString(chi.Object, "status", "status"); status {
		case "", "Completed":
		case "Aborted", "Terminating":
			r.add(check, Fail, "ClickHouseInstallation %s: status %s", name, status)
		default:
			r.add(check, Warn, "ClickHouseInstallation %s: status %s", name, status)
		}
		sets, err := r.c.List(r.ctx, gvrStatefulSet, r.e.Namespace, "clickhouse.altinity.com/chi="+name)
		if err != nil {
			r.failed(check, "ClickHouseInstallation "+name+"'s StatefulSets", err)
			continue
		}
		if len(sets) == 0 {
			r.add(check, Fail, "ClickHouseInstallation %s has no StatefulSet: its operator has not served it", name)
		}
		var ws []Workload
		for _, s := range sets {
			ws = append(ws, Workload{"StatefulSet", s.GetName()})
		}
		r.workloadsReady(check, ws)
	}
}

func (r *run) podsReady(check string) {
	r.workloadsReady(check, r.e.Workloads())
}

// workloadsReady reports each workload whose ready replicas fall short
// of its desired ones, then one PASS for the rest.
func (r *run) workloadsReady(check string, ws []Workload) {
	ready := 0
	for _, w := range ws {
		desired, have, err := r.replicas(w)
		if err != nil {
			r.failed(check, w.String(), err)
		} else if have < desired {
			r.add(check, Fail, "%s: %d of %d replicas ready", w, have, desired)
		} else {
			ready++
		}
	}
	if ready > 0 && ready == len(ws) {
		names := make([]string, len(ws))
		for i, w := range ws {
			names[i] = w.Name
		}
		r.add(check, Pass, "every replica ready in %s: %s", plural(ready, "workload"), strings.Join(names, ", "))
	}
}

// replicas is a workload's desired and ready replicas.
func (r *run) replicas(w Workload) (desired, ready int32, err error) {
	if w.Kind == "Deployment" {
		u, err := r.c.Get(r.ctx, gvrDeployment, r.e.Namespace, w.Name)
		if err != nil {
			return 0, 0, err
		}
		d, err := typed[appsv1.Deployment](u)
		if err != nil {
			return 0, 0, err
		}
		return replicasOf(d.Spec.Replicas), d.Status.ReadyReplicas, nil
	}
	u, err := r.c.Get(r.ctx, gvrStatefulSet, r.e.Namespace, w.Name)
	if err != nil {
		return 0, 0, err
	}
	s, err := typed[appsv1.StatefulSet](u)
	if err != nil {
		return 0, 0, err
	}
	return replicasOf(s.Spec.Replicas), s.Status.ReadyReplicas, nil
}

// replicasOf is spec.replicas, 1 when unset (the API's default).
func replicasOf(n *int32) int32 {
	if n == nil {
		return 1
	}
	return *n
}

func (r *run) grpc(check string) {
	svcs := r.e.GRPCServices()
	ok := 0
	for _, s := range svcs {
		n, err := r.readyEndpoints(s)
		switch {
		case err != nil:
			r.failed(check, "EndpointSlices of Service "+s.Name, err)
		case n == 0:
			r.add(check, Fail, "Service %s has no ready endpoint on its %s port: nothing answers at %s", s.Name, s.Port, s.Name)
		default:
			ok++
		}
	}
	if ok > 0 && ok == len(svcs) {
		r.add(check, Pass, "%d gRPC Services have ready endpoints on their %s port", ok, svcs[0].Port)
	}
	r.facts = append(r.facts, r.validation[check]...)
}

// readyEndpoints counts s's ready endpoints that serve its port.
func (r *run) readyEndpoints(s GRPCService) (int, error) {
	slices, err := r.c.List(r.ctx, gvrEndpointSlice, r.e.Namespace, discoveryv1.LabelServiceName+"="+s.Name)
	if err != nil {
		return 0, err
	}
	n := 0
	for i := range slices {
		es, err := typed[discoveryv1.EndpointSlice](&slices[i])
		if err != nil {
			return 0, err
		}
		if !hasPort(es.Ports, s.Port) {
			continue
		}
		for _, ep := range es.Endpoints {
			if ep.Conditions.Ready == nil || *ep.Conditions.Ready {
				n++
			}
		}
	}
	return n, nil
}

func hasPort(ports []discoveryv1.EndpointPort, name string) bool {
	for _, p := range ports {
		if p.Name != nil && *p.Name == name {
			return true
		}
	}
	return false
}

func (r *run) protos(check string) {
	for _, want := range r.e.Contracts() {
		got, err := r.c.Get(r.ctx, gvrConfigMap, r.e.Namespace, want.GetName())
		if err != nil {
			r.failed(check, "ConfigMap "+want.GetName(), err)
			continue
		}
		if diff := dataDiff(want, got); len(diff) > 0 {
			r.add(check, Fail, "ConfigMap %s differs from the catalog's contracts in %s", want.GetName(), strings.Join(diff, ", "))
			continue
		}
		r.add(check, Pass, "ConfigMap %s holds the catalog's contracts", want.GetName())
	}
}

// dataDiff names the keys of data and binaryData whose values differ
// between the rendered and the live ConfigMap, sorted.
func dataDiff(want, got *unstructured.Unstructured) []string {
	var out []string
	for _, field := range []string{"data", "binaryData"} {
		w, _, _ := unstructured.NestedMap(want.Object, field)
		g, _, _ := unstructured.NestedMap(got.Object, field)
		for k, v := range w {
			if gv, ok := g[k]; !ok {
				out = append(out, field+"."+k+" (missing)")
			} else if !equality.Semantic.DeepEqual(v, gv) {
				out = append(out, field+"."+k)
			}
		}
		for k := range g {
			if _, ok := w[k]; !ok {
				out = append(out, field+"."+k+" (not the catalog's)")
			}
		}
	}
	slices.Sort(out)
	return out
}

// runningPods are the catalog's running pods in the namespace.
func (r *run) runningPods(check string) []*corev1.Pod {
	list, err := r.c.List(r.ctx, gvrPod, r.e.Namespace, kube.LabelPartOf+"="+r.e.PartOf())
	if err != nil {
		r.failed(check, "pods of "+r.e.PartOf(), err)
		return nil
	}
	var out []*corev1.Pod
	for i := range list {
		p, err := typed[corev1.Pod](&list[i])
		if err != nil {
			r.add(check, Fail, "%v", err)
			continue
		}
		if p.Status.Phase == corev1.PodRunning {
			out = append(out, p)
		}
	}
	return out
}

// limited are the resources every container must request and limit.
var limited = []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory}

func (r *run) limits(check string) {
	pods := r.runningPods(check)
	n := 0
	for _, p := range pods {
		for _, c := range append(slices.Clone(p.Spec.InitContainers), p.Spec.Containers...) {
			n++
			if missing := missingResources(c.Resources); len(missing) > 0 {
				r.add(check, Fail, "pod %s container %s has no %s", p.Name, c.Name, strings.Join(missing, ", "))
			}
		}
	}
	if len(pods) > 0 && !r.failedAny(check) {
		r.add(check, Pass, "%d containers of %d running pods request and limit cpu and memory", n, len(pods))
	}
}

// missingResources names the requests and limits rr lacks.
func missingResources(rr corev1.ResourceRequirements) []string {
	var out []string
	for _, res := range limited {
		if _, ok := rr.Requests[res]; !ok {
			out = append(out, "requests."+string(res))
		}
		if _, ok := rr.Limits[res]; !ok {
			out = append(out, "limits."+string(res))
		}
	}
	return out
}

func (r *run) failedAny(check string) bool {
	return slices.ContainsFunc(r.facts, func(f Fact) bool { return f.Check == check && f.Status == Fail })
}

// errorLine is what counts as an error in a log line.
var errorLine = regexp.MustCompile(`(?i)\b(error|fatal|panic|exception)\b|\blevel=(error|fatal)\b`)

// logs reads the recent log of every container of the catalog's running
// pods: error lines are a WARN (a log says something went wrong, not
// that the environment is broken), and so is a log verify cannot read.
func (r *run) logs(check string) {
	pods := r.runningPods(check)
	var unreadable []string
	var why error
	read := 0
	for _, p := range pods {
		for _, c := range p.Spec.Containers {
			text, err := r.c.Logs(r.ctx, r.e.Namespace, p.Name, c.Name, r.opts.LogSince, r.opts.LogTail)
			if err != nil {
				unreadable = append(unreadable, p.Name+"/"+c.Name)
				why = err
				continue
			}
			read++
			if lines := errorLines(text); len(lines) > 0 {
				r.add(check, Warn, "pod %s container %s: %d error lines in its last %d, e.g. %q", p.Name, c.Name, len(lines), r.opts.LogTail, truncate(lines[0], 200))
			}
		}
	}
	if len(unreadable) > 0 {
		r.add(check, Warn, "cannot read the logs of %d containers (%s): %v", len(unreadable), truncate(strings.Join(unreadable, ", "), 300), why)
	}
	if read > 0 && len(unreadable) == 0 && !slices.ContainsFunc(r.facts, func(f Fact) bool { return f.Check == check }) {
		r.add(check, Pass, "no error line in the recent logs of %d containers", read)
	}
}

// errorLines are text's lines that errorLine matches.
func errorLines(text string) []string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if errorLine.MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// plural is n things, "1 thing" or "n things".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

func (r *run) otherValidation(check string) {
	r.facts = append(r.facts, r.validation[check]...)
}
