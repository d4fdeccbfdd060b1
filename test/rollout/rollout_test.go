package rollout

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
)

// The Applications deploy/argocd ships; the tests sync them as they are,
// but for where the repository is served.
const stagingApp = "deploy/argocd/apps/application-staging.yaml"

// Limits of the scenarios.
const (
	firstSyncTimeout = 15 * time.Minute
	// faultTimeout bounds a fault scenario: a healthy first sync takes
	// about a minute alone, a late Secret one more; four fault clusters
	// and production share two cores, where a late-Secret sync with the
	// exporters took 5 min 10 s on a loaded machine. The bound only
	// catches a scenario that never settles.
	faultTimeout = 10 * time.Minute
	// resyncBound is how long a re-sync that adds one service may take.
	resyncBound = 60 * time.Second
	// maxForeign is how many objects not its own adding a service may change.
	maxForeign = 8
	// secretDelay is how late External Secrets delivers in the fault scenario.
	secretDelay = time.Minute
)

// stagingNodes is the staging cluster of docs/deploying.md: three nodes,
// one per zone.
func stagingNodes() []Node {
	return nodes(3, "4", "16Gi")
}

// productionNodes is the smallest production cluster docs/deploying.md
// documents: six nodes, two in each of three zones (Redis' six pods
// require a node each).
func productionNodes() []Node {
	return nodes(6, "8", "32Gi")
}

func nodes(n int, cpu, memory string) []Node {
	zones := []string{"zone-a", "zone-b", "zone-c"}
	var out []Node
	for i := range n {
		out = append(out, Node{Name: fmt.Sprintf("node-%d", i+1), Zone: zones[i%len(zones)], CPU: cpu, Memory: memory})
	}
	return out
}

// app is an Application of a scenario, following a branch of its own.
type app struct {
	*App
	e        *env
	worktree string // the branch's checkout, to commit to
	path     string // the example the Application syncs
	render   *Render
}

// newApp creates an Application that syncs example path from a branch
// of its own, as deploy/argocd/apps/application-staging.yaml does but for
// its name, repository, path and namespace.
func newApp(t *testing.T, e *env, name, path string, down []string) *app {
	t.Helper()
	// A branch per scenario: scenarios share the clone.
	ref := "rollout-" + strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())
	wt := branch(t, e.cfg.repo, ref)
	r, err := RenderPath(wt, path)
	if err != nil {
		t.Fatal(err)
	}
	e.outside(t, r, down)
	manifest, err := os.ReadFile(filepath.Join(wt, stagingApp))
	if err != nil {
		t.Fatal(err)
	}
	ns := namespaceOf(t, r)
	a, err := e.CreateApp(e.ctx, string(manifest), name, "file://"+e.cfg.repo, ref, path, ns)
	if err != nil {
		t.Fatal(err)
	}
	return &app{App: a, e: e, worktree: wt, path: path, render: r}
}

// namespaceOf is the namespace of a render's objects.
func namespaceOf(t *testing.T, r *Render) string {
	t.Helper()
	for _, o := range r.Objects {
		if o.GetKind() == "Namespace" {
			return o.GetName()
		}
		if o.GetNamespace() != "" {
			return o.GetNamespace()
		}
	}
	t.Fatal("the render has no namespaced object")
	return ""
}

// watch polls the Application every 500 ms, feeding tl, until until says
// it is done or timeout passes; it returns the last status.
func (a *app) watch(t *testing.T, tl *Timeline, timeout time.Duration, until func(Status) (bool, string)) Status {
	t.Helper()
	var last Status
	err := a.e.Poll(a.e.ctx, timeout, func() (bool, string, error) {
		s, err := a.Status(a.e.ctx)
		if err != nil {
			return false, "", err
		}
		last = s
		if tl != nil {
			tl.Observe(s, time.Now())
		}
		done, status := until(s)
		return done, status, nil
	})
	if err != nil {
		msg := fmt.Sprintf("%s: %v\nlast status: %s\nunhealthy: %s\nfailed: %s", a.Name, err, last, strings.Join(last.Unhealthy(), ", "), strings.Join(last.Results, "; "))
		if tl != nil {
			msg += "\ntimeline so far:\n" + tl.Markdown()
		}
		t.Fatal(msg)
	}
	return last
}

// healthy: the operation synced revision rev (any, if empty) and the
// Application is Synced and Healthy. A failed operation ends the wait.
func healthy(rev string) func(Status) (bool, string) {
	return func(s Status) (bool, string) {
		done := s.Phase == "Succeeded" && (rev == "" || s.OpRev == rev) && s.Sync == "Synced" && s.Health == "Healthy"
		return done, s.String()
	}
}

func TestStaging(t *testing.T) {
	cfg := loadConfig(t)
	e := startEnv(t, cfg, setup{nodes: stagingNodes()})
	a := newApp(t, e, "nova-staging", "examples/staging", nil)
	ns := namespaceOf(t, a.render)

	first := scenario(t, "staging-first-sync", false, func(t *testing.T) string {
		start := time.Now()
		tl := NewTimeline(start, a.render.Waves(), nil)
		s := a.watch(t, tl, firstSyncTimeout, failOn(healthy("")))
		took := time.Since(start)
		fmt.Printf("\nstaging, first sync: Synced/Healthy in %s\n%s", took.Round(time.Second), tl.Markdown())
		writeTimeline(t, "staging-first-sync", tl)
		return fmt.Sprintf("%s/%s in %s over %d waves", s.Sync, s.Health, took.Round(time.Second), len(tl.Rows()))
	})
	if !first {
		return
	}

	scenario(t, "staging-resync-unchanged", false, func(t *testing.T) string {
		before := snapshot(t, e, ns)
		status, err := a.Status(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if err := a.Sync(e.ctx); err != nil {
			t.Fatal(err)
		}
		a.watch(t, nil, 5*time.Minute, failOn(func(s Status) (bool, string) {
			ok, msg := healthy(status.OpRev)(s)
			return ok && s.StartedAt.After(status.StartedAt), msg
		}))
		took := time.Since(start)
		after := snapshot(t, e, ns)
		if ran := after.newJobs(before); len(ran) > 0 {
			t.Errorf("a sync with nothing changed ran Jobs again: %s", strings.Join(ran, ", "))
		}
		if restarted := after.restarted(before); len(restarted) > 0 {
			t.Errorf("a sync with nothing changed restarted: %s", strings.Join(restarted, ", "))
		}
		return fmt.Sprintf("nothing ran or restarted; the sync took %s", took.Round(time.Second))
	})

	scenario(t, "staging-add-service", false, func(t *testing.T) string {
		before := snapshot(t, e, ns)
		status, err := a.Status(e.ctx)
		if err != nil {
			t.Fatal(err)
		}
		newService := "bookmark-service"
		rev := addService(t, a.worktree, newService)
		r2, err := RenderPath(a.worktree, a.path)
		if err != nil {
			t.Fatal(err)
		}
		foreign := foreignChanges(a.render, r2, newService)
		fmt.Printf("\nadding %s changes %d objects that are not its own: %s\n", newService, len(foreign), strings.Join(foreign, ", "))
		if len(foreign) > maxForeign {
			t.Errorf("adding a service changes %d objects that are not its own, more than %d: %s", len(foreign), maxForeign, strings.Join(foreign, ", "))
		}
		start := time.Now()
		if err := a.Refresh(e.ctx); err != nil {
			t.Fatal(err)
		}
		tl := NewTimeline(start, r2.Waves(), &status)
		a.watch(t, tl, 10*time.Minute, failOn(healthy(rev)))
		took := time.Since(start)
		fmt.Printf("\nstaging, re-sync adding %s: Synced/Healthy in %s\n%s", newService, took.Round(time.Second), tl.Markdown())
		writeTimeline(t, "staging-add-service", tl)
		after := snapshot(t, e, ns)
		if restarted := after.restarted(before); len(restarted) > 0 {
			t.Errorf("adding %s restarted workloads that are not its own: %s", newService, strings.Join(restarted, ", "))
		}
		ran := after.newJobs(before)
		want := newJobNames(a.render, r2)
		if !slices.Equal(ran, want) {
			t.Errorf("the Jobs that ran are %v; the Jobs whose input changed are %v", ran, want)
		}
		if took > resyncBound {
			t.Errorf("the re-sync took %s, more than %s", took.Round(time.Second), resyncBound)
		}
		a.render = r2
		return fmt.Sprintf("in %s; %d foreign objects changed; Jobs run: %s; no other workload restarted", took.Round(time.Second), len(foreign), strings.Join(ran, ", "))
	})

	scenario(t, "staging-delete-application", false, func(t *testing.T) string {
		claims, err := e.Client.CoreV1().PersistentVolumeClaims(ns).List(e.ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(claims.Items) == 0 {
			t.Fatal("no PersistentVolumeClaim in " + ns + " to keep")
		}
		if err := a.Delete(e.ctx, 5*time.Minute); err != nil {
			t.Fatal(err)
		}
		n, err := e.Client.CoreV1().Namespaces().Get(e.ctx, ns, metav1.GetOptions{})
		if err != nil {
			t.Fatalf("the Namespace is gone with the Application: %v", err)
		}
		if n.DeletionTimestamp != nil {
			t.Fatalf("the Namespace is being deleted with the Application")
		}
		var lost []string
		for _, c := range claims.Items {
			now, err := e.Client.CoreV1().PersistentVolumeClaims(ns).Get(e.ctx, c.Name, metav1.GetOptions{})
			if err != nil || now.UID != c.UID || now.DeletionTimestamp != nil {
				lost = append(lost, c.Name)
			}
		}
		if len(lost) > 0 {
			t.Fatalf("deleting the Application deleted PersistentVolumeClaims: %s", strings.Join(lost, ", "))
		}
		return fmt.Sprintf("Namespace %s and its %d PersistentVolumeClaims kept", ns, len(claims.Items))
	})
}

// TestProduction runs beside TestFaults, after TestStaging (whose re-sync
// has a time bound it keeps to itself).
func TestProduction(t *testing.T) {
	cfg := loadConfig(t)
	t.Parallel()
	scenario(t, "production-first-sync", false, func(t *testing.T) string {
		e := startEnv(t, cfg, setup{nodes: productionNodes()})
		a := newApp(t, e, "nova-production", "examples/production", nil)
		start := time.Now()
		tl := NewTimeline(start, a.render.Waves(), nil)
		s := a.watch(t, tl, firstSyncTimeout, failOn(healthy("")))
		took := time.Since(start)
		fmt.Printf("\nproduction, first sync on %d nodes: Synced/Healthy in %s\n%s", len(productionNodes()), took.Round(time.Second), tl.Markdown())
		writeTimeline(t, "production-first-sync", tl)
		ns := namespaceOf(t, a.render)
		pods, err := e.Client.CoreV1().Pods(ns).List(e.ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pods.Items {
			if p.Spec.NodeName == "" {
				t.Errorf("pod %s is not scheduled", p.Name)
			}
		}
		spread := zoneSpread(t, e, ns)
		budgets := disruptionBudgets(t, e, a.render)
		drained := drain(t, e, ns, a.render)
		a.watch(t, nil, 5*time.Minute, failOn(healthy("")))
		return fmt.Sprintf("%s/%s in %s, %d pods on %d nodes; %s; %s; %s, Healthy again after", s.Sync, s.Health, took.Round(time.Second), len(pods.Items), len(productionNodes()), spread, budgets, drained)
	})
}

// TestFaults runs its scenarios in parallel, each on a cluster of its
// own, beside TestProduction: none has a time bound that sharing the
// machine could break.
func TestFaults(t *testing.T) {
	cfg := loadConfig(t)
	t.Parallel()

	scenario(t, "fault-certificate-never-ready", true, func(t *testing.T) string {
		e := startEnv(t, cfg, setup{nodes: stagingNodes(), operators: Operators{CertificatesNeverIssue: true}})
		a := newApp(t, e, "nova-staging", "examples/staging", nil)
		s := a.watch(t, nil, faultTimeout, failOn(allHealthyBut("Certificate/")))
		return fmt.Sprintf("the sync %s; everything else Healthy, validation included; unhealthy: %s", strings.ToLower(s.Phase), strings.Join(s.Unhealthy(), ", "))
	})

	scenario(t, "fault-external-unreachable", true, func(t *testing.T) string {
		e := startEnv(t, cfg, setup{nodes: stagingNodes()})
		a := newApp(t, e, "nova-staging", "examples/staging", []string{"neo4j"})
		// graph-service waits for neo4j; nothing else does.
		s := a.watch(t, nil, faultTimeout, failOn(allHealthyBut("Deployment/graph-service")))
		return fmt.Sprintf("neo4j down: the sync %s; everything but graph-service Healthy, validation included; unhealthy: %s", strings.ToLower(s.Phase), strings.Join(s.Unhealthy(), ", "))
	})

	scenario(t, "fault-secrets-late", true, func(t *testing.T) string {
		e := startEnv(t, cfg, setup{nodes: stagingNodes(), operators: Operators{SecretDelay: secretDelay}})
		a := newApp(t, e, "nova-staging", "examples/staging", nil)
		start := time.Now()
		s := a.watch(t, nil, faultTimeout, healthy(""))
		took := time.Since(start)
		if took < secretDelay {
			t.Errorf("Synced/Healthy after %s, before the Secrets existed (%s): the fault did not apply", took.Round(time.Second), secretDelay)
		}
		return fmt.Sprintf("Secrets %s late: %s/%s in %s", secretDelay, s.Sync, s.Health, took.Round(time.Second))
	})

	scenario(t, "fault-migration-fails", true, func(t *testing.T) string {
		fail := func(job string, _ *corev1.Pod) bool { return strings.HasPrefix(job, "sqlx-migrate-") }
		e := startEnv(t, cfg, setup{nodes: stagingNodes(), fail: fail})
		a := newApp(t, e, "nova-staging", "examples/staging", nil)
		// A failed sync is retried (syncPolicy.retry): the first failure,
		// while the operation waits to retry, is the verdict.
		s := a.watch(t, nil, faultTimeout, func(s Status) (bool, string) {
			return s.Phase == "Failed" || s.Phase == "Error" || s.Retrying(), s.String()
		})
		named := false
		for _, r := range s.Results {
			named = named || strings.HasPrefix(r, "Job/sqlx-migrate-")
		}
		if !named {
			t.Errorf("the failed sync does not name the migration Job: %q; failed resources: %v", s.Message, s.Results)
		}
		ns := namespaceOf(t, a.render)
		deps, err := e.Client.AppsV1().Deployments(ns).List(e.ctx, metav1.ListOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(deps.Items) > 0 {
			t.Errorf("%d service Deployments were applied after the migrations failed", len(deps.Items))
		}
		return fmt.Sprintf("the sync failed: %q, %s; no service was started", s.Message, strings.Join(s.Results, "; "))
	})
}

// failOn ends a wait with a failure when the operation failed.
func failOn(until func(Status) (bool, string)) func(Status) (bool, string) {
	return func(s Status) (bool, string) {
		if s.Phase == "Failed" || s.Phase == "Error" {
			return false, s.String()
		}
		return until(s)
	}
}

// allHealthyBut: the operation succeeded, and every resource is Healthy
// but those whose Kind/name starts with prefix, which are not (the fault
// holds them), and the validation Job has completed.
func allHealthyBut(prefix string) func(Status) (bool, string) {
	return func(s Status) (bool, string) {
		if s.Phase != "Succeeded" || len(s.Resources) == 0 {
			return false, s.String()
		}
		held, validated := 0, false
		for _, r := range s.Resources {
			if strings.HasPrefix(r.Key(), prefix) {
				held++
				continue
			}
			if r.Health != "" && r.Health != "Healthy" {
				return false, "waiting for " + r.Key() + " (" + r.Health + ")"
			}
			validated = validated || strings.HasPrefix(r.Key(), "Job/validate-deployment-")
		}
		if held == 0 {
			return false, "no " + prefix + " among the resources"
		}
		return validated, "waiting for the validation Job"
	}
}

// state is what ran in a namespace: each workload's pod template and
// pods, and the Jobs.
type state struct {
	templates map[string]string   // Kind/name → hash of its pod template
	pods      map[string][]string // Kind/name → UIDs of its pods, sorted
	jobs      map[string]string   // Job name → UID
}

func snapshot(t *testing.T, e *env, ns string) state {
	t.Helper()
	s := state{templates: map[string]string{}, pods: map[string][]string{}, jobs: map[string]string{}}
	deps, err := e.Client.AppsV1().Deployments(ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range deps.Items {
		s.templates["Deployment/"+d.Name] = hashOf(d.Spec.Template)
	}
	sts, err := e.Client.AppsV1().StatefulSets(ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range sts.Items {
		s.templates["StatefulSet/"+d.Name] = hashOf(d.Spec.Template)
	}
	pods, err := e.Client.CoreV1().Pods(ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if owner := workloadOf(p); owner != "" {
			s.pods[owner] = append(s.pods[owner], string(p.UID))
		}
	}
	for _, v := range s.pods {
		slices.Sort(v)
	}
	jobs, err := e.Client.BatchV1().Jobs(ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs.Items {
		s.jobs[j.Name] = string(j.UID)
	}
	return s
}

// workloadOf is the Deployment (through its ReplicaSet, named
// <deployment>-<hash>) or StatefulSet a pod belongs to.
func workloadOf(p corev1.Pod) string {
	for _, o := range p.OwnerReferences {
		switch o.Kind {
		case "StatefulSet":
			return "StatefulSet/" + o.Name
		case "ReplicaSet":
			if i := strings.LastIndex(o.Name, "-"); i > 0 {
				return "Deployment/" + o.Name[:i]
			}
		}
	}
	return ""
}

// restarted lists the workloads of before whose pod template or pods
// changed in s.
func (s state) restarted(before state) []string {
	var out []string
	for k, tmpl := range before.templates {
		if s.templates[k] != tmpl || !slices.Equal(s.pods[k], before.pods[k]) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// newJobs lists the Jobs of s that before did not have (by name and UID:
// a Job deleted and created again ran again).
func (s state) newJobs(before state) []string {
	var out []string
	for name, uid := range s.jobs {
		if before.jobs[name] != uid {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func hashOf(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// newJobNames are the Jobs of after whose names before lacks: their spec,
// and so their input, changed (generated Jobs end in a hash of it).
func newJobNames(before, after *Render) []string {
	had := map[string]bool{}
	for _, o := range before.Find("Job") {
		had[o.GetName()] = true
	}
	var out []string
	for _, o := range after.Find("Job") {
		if !had[o.GetName()] {
			out = append(out, o.GetName())
		}
	}
	slices.Sort(out)
	return out
}

// foreignChanges lists the objects, by Identity, that differ between two
// renders (added, removed or changed) and are not the new service's own
// (named for it).
func foreignChanges(before, after *Render, service string) []string {
	index := func(r *Render) map[string]string {
		m := map[string]string{}
		for _, o := range r.Objects {
			m[Identity(o)] = hashOf(o.Object)
		}
		return m
	}
	b, a := index(before), index(after)
	var out []string
	for k := range mergeKeys(b, a) {
		if b[k] == a[k] || strings.Contains(k, service) {
			continue
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func mergeKeys(ms ...map[string]string) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

// addService commits to worktree a catalog with one service more: a
// database of its own and a dependency on user-service, as a team adding
// a service would write it; it returns the new revision.
func addService(t *testing.T, worktree, name string) string {
	t.Helper()
	path := filepath.Join(worktree, "services.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	db := "nova_" + strings.ReplaceAll(strings.TrimSuffix(name, "-service"), "-", "_")
	s := string(b)
	for _, edit := range []struct{ anchor, insert string }{
		{"  databases:\n", fmt.Sprintf("    - name: %s\n", db)},
		{"  services:\n", fmt.Sprintf("    - name: %s\n      description: added by the rollout test\n      database: %s\n      dependsOn: [postgres, user-service]\n", name, db)},
	} {
		i := strings.Index(s, edit.anchor)
		if i < 0 {
			t.Fatalf("services.yaml has no %q", edit.anchor)
		}
		i += len(edit.anchor)
		s = s[:i] + edit.insert + s[i:]
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, worktree, "-c", "user.name=rollout-test", "-c", "user.email=rollout-test@localhost", "commit", "-qam", "add "+name)
	return git(t, worktree, "rev-parse", "HEAD")
}

// zoneSpread checks that the pods of every workload with more than one
// replica spread over the zones (as many zones as replicas, up to all)
// and summarises it.
func zoneSpread(t *testing.T, e *env, ns string) string {
	t.Helper()
	nodes, err := e.Client.CoreV1().Nodes().List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zoneOf := map[string]string{}
	zones := map[string]bool{}
	for _, n := range nodes.Items {
		zoneOf[n.Name] = n.Labels[corev1.LabelTopologyZone]
		zones[zoneOf[n.Name]] = true
	}
	pods, err := e.Client.CoreV1().Pods(ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	byWorkload := map[string]map[string]int{}
	for _, p := range pods.Items {
		w := workloadOf(p)
		if w == "" {
			continue
		}
		if byWorkload[w] == nil {
			byWorkload[w] = map[string]int{}
		}
		byWorkload[w][zoneOf[p.Spec.NodeName]]++
	}
	spread := 0
	for w, z := range byWorkload {
		n := 0
		for _, c := range z {
			n += c
		}
		if n < 2 {
			continue
		}
		if want := min(n, len(zones)); len(z) < want {
			t.Errorf("%s: %d pods in %d zones, want %d zones: %v", w, n, len(z), want, z)
			continue
		}
		spread++
	}
	return fmt.Sprintf("%d replicated workloads spread over %d zones", spread, len(zones))
}

// disruptionBudgets checks that every workload of r with more than one
// replica has a PodDisruptionBudget of r selecting its pods.
func disruptionBudgets(t *testing.T, e *env, r *Render) string {
	t.Helper()
	var selectors []labels.Selector
	for _, o := range r.Find("PodDisruptionBudget") {
		var pdb policyv1.PodDisruptionBudget
		if err := runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, &pdb); err != nil {
			t.Fatal(err)
		}
		sel, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector)
		if err != nil {
			t.Fatal(err)
		}
		selectors = append(selectors, sel)
	}
	covered := 0
	for _, w := range replicated(t, r) {
		ok := false
		for _, sel := range selectors {
			ok = ok || sel.Matches(labels.Set(w.podLabels))
		}
		if !ok {
			t.Errorf("%s has %d replicas and no PodDisruptionBudget: one node drain may stop all of them", w.key, w.replicas)
			continue
		}
		covered++
	}
	return fmt.Sprintf("%d replicated workloads, each under a PodDisruptionBudget", covered)
}

// workload is a Deployment or StatefulSet of a render.
type workload struct {
	key       string // Kind/name
	replicas  int64
	podLabels map[string]string
}

// replicated lists the render's workloads with more than one replica.
func replicated(t *testing.T, r *Render) []workload {
	t.Helper()
	var out []workload
	for _, o := range r.Objects {
		if o.GetKind() != "Deployment" && o.GetKind() != "StatefulSet" {
			continue
		}
		// Parsed from JSON: numbers are float64.
		n := int64(1)
		if v, found, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "replicas"); found {
			n = toInt(v)
		}
		l, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "labels")
		if n > 1 {
			out = append(out, workload{key: Identity(o), replicas: n, podLabels: l})
		}
	}
	return out
}

// drain drains the node with the most pods of ns as `kubectl drain` does:
// cordon it, then evict each of its pods through the Eviction API,
// retrying what a PodDisruptionBudget refuses (429) until the budget
// allows. Throughout, every replicated workload of r must keep a ready
// pod. The node is uncordoned at the end.
func drain(t *testing.T, e *env, ns string, r *Render) string {
	t.Helper()
	pods, err := e.Client.CoreV1().Pods(ns).List(e.ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	node := ""
	for _, p := range pods.Items {
		count[p.Spec.NodeName]++
		if count[p.Spec.NodeName] > count[node] {
			node = p.Spec.NodeName
		}
	}
	cordon := func(on bool) {
		patch := fmt.Appendf(nil, `{"spec":{"unschedulable":%t}}`, on)
		if _, err := e.Client.CoreV1().Nodes().Patch(e.ctx, node, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	cordon(true)
	defer cordon(false)
	work := replicated(t, r)
	refused := 0
	pending := map[string]bool{}
	for _, p := range pods.Items {
		if p.Spec.NodeName == node {
			pending[p.Name] = true
		}
	}
	evicted := len(pending)
	err = e.Poll(e.ctx, 5*time.Minute, func() (bool, string, error) {
		for name := range pending {
			err := e.Client.PolicyV1().Evictions(ns).Evict(e.ctx, &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}})
			switch {
			case err == nil, apierrors.IsNotFound(err):
				delete(pending, name)
			case apierrors.IsTooManyRequests(err):
				refused++
			default:
				return false, "", err
			}
		}
		if down := noneReady(t, e, ns, work); len(down) > 0 {
			return false, "", fmt.Errorf("draining %s left no ready pod of %s", node, strings.Join(down, ", "))
		}
		return len(pending) == 0, fmt.Sprintf("%d pods of %s not evicted yet", len(pending), node), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("drained %s (%d pods; %d evictions refused by a budget until it allowed) with a ready pod of every replicated workload throughout", node, evicted, refused)
}

// noneReady lists the workloads with no ready pod.
func noneReady(t *testing.T, e *env, ns string, work []workload) []string {
	t.Helper()
	var out []string
	for _, w := range work {
		pods, err := e.Client.CoreV1().Pods(ns).List(e.ctx, metav1.ListOptions{LabelSelector: labels.Set(w.podLabels).String()})
		if err != nil {
			t.Fatal(err)
		}
		ready := false
		for _, p := range pods.Items {
			for _, c := range p.Status.Conditions {
				ready = ready || (c.Type == corev1.PodReady && c.Status == corev1.ConditionTrue && p.DeletionTimestamp == nil)
			}
		}
		if !ready {
			out = append(out, w.key)
		}
	}
	return out
}

// writeTimeline writes a scenario's timeline table to
// $NOVAGEN_ROLLOUT_OUT/NAME.md when that is set (the deployment guide's
// tables come from there).
func writeTimeline(t *testing.T, name string, tl *Timeline) {
	t.Helper()
	dir := os.Getenv("NOVAGEN_ROLLOUT_OUT")
	if dir == "" {
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".md"), []byte(tl.Markdown()), 0o644); err != nil {
		t.Error(err)
	}
}

// unstructuredString and friends read the render's objects.
func unstructuredString(obj map[string]any, fields ...string) (string, bool, error) {
	return unstructured.NestedString(obj, fields...)
}

func unstructuredSlice(obj map[string]any, fields ...string) ([]any, bool, error) {
	return unstructured.NestedSlice(obj, fields...)
}

func toInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	case int:
		return int64(n)
	}
	return 0
}
