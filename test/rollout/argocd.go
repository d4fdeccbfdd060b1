package rollout

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/yaml"

	"github.com/novagen/novagen/test/proc"
)

// ArgoNamespace is where Argo CD and its Applications live.
const ArgoNamespace = "argocd"

var applicationGVR = schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "applications"}

// argoObjects is what Argo CD needs in its namespace before its
// controller starts: its ConfigMap and Secret (labelled, or the
// controller's informers do not see them) and the default project.
const argoObjects = `apiVersion: v1
kind: Namespace
metadata: {name: argocd}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: argocd-cm, namespace: argocd, labels: {app.kubernetes.io/part-of: argocd}}
---
apiVersion: v1
kind: Secret
metadata: {name: argocd-secret, namespace: argocd, labels: {app.kubernetes.io/part-of: argocd}}
stringData: {server.secretkey: rollout-test}
---
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata: {name: default, namespace: argocd}
spec:
  sourceRepos: ['*']
  destinations: [{namespace: '*', server: '*'}]
  clusterResourceWhitelist: [{group: '*', kind: '*'}]
`

// StartArgoCD runs Argo CD on c as deploy/argocd/cmp sets it up: redis,
// argocd-cmp-server with the novagen plugin (pluginYAML), the repo server
// beside it, and the application-controller, all outside the cluster
// (ARGOCD_FAKE_IN_CLUSTER), in c's process group.
func StartArgoCD(ctx context.Context, c *Cluster, argo proc.ArgoCD, pluginYAML string) error {
	if err := c.ApplyYAML(ctx, argoObjects); err != nil {
		return err
	}
	redis, err := proc.StartRedis(ctx, c.Group)
	if err != nil {
		return err
	}
	sockets := filepath.Join(c.Group.Dir, "plugins")
	if err := argo.StartCMPServer(ctx, c.Group, pluginYAML, "novagen", sockets); err != nil {
		return err
	}
	repo, err := argo.StartRepoServer(ctx, c.Group, "argocd-repo-server", sockets, redis)
	if err != nil {
		return err
	}
	return argo.StartApplicationController(c.Group, c.Kubeconfig, ArgoNamespace, redis, repo, nil,
		"--status-processors", "4", "--operation-processors", "4")
}

// ApplyYAML applies every document of a multi-document YAML string.
func (c *Cluster) ApplyYAML(ctx context.Context, docs string) error {
	for _, doc := range strings.Split(docs, "\n---\n") {
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			return err
		}
		if len(m) == 0 {
			continue
		}
		if _, err := c.Kube.Apply(ctx, &unstructured.Unstructured{Object: m}); err != nil {
			return err
		}
	}
	return nil
}

// App is an Argo CD Application of the cluster.
type App struct {
	c    *Cluster
	Name string
}

// CreateApp creates Application manifest (deploy/argocd/apps' YAML) with
// its source at repoURL, revision, and path and destination namespace
// replaced where given.
func (c *Cluster) CreateApp(ctx context.Context, manifest, name, repoURL, revision, path, namespace string) (*App, error) {
	var m map[string]any
	if err := yaml.Unmarshal([]byte(manifest), &m); err != nil {
		return nil, err
	}
	app := &unstructured.Unstructured{Object: m}
	app.SetName(name)
	set := func(v string, fields ...string) error {
		if v == "" {
			return nil
		}
		return unstructured.SetNestedField(app.Object, v, fields...)
	}
	for _, err := range []error{
		set(repoURL, "spec", "source", "repoURL"), set(revision, "spec", "source", "targetRevision"),
		set(path, "spec", "source", "path"), set(namespace, "spec", "destination", "namespace"),
	} {
		if err != nil {
			return nil, err
		}
	}
	if _, err := c.Dynamic.Resource(applicationGVR).Namespace(ArgoNamespace).Create(ctx, app, metav1.CreateOptions{}); err != nil {
		return nil, err
	}
	return &App{c: c, Name: name}, nil
}

// Get reads the Application.
func (a *App) Get(ctx context.Context) (*unstructured.Unstructured, error) {
	return a.c.Dynamic.Resource(applicationGVR).Namespace(ArgoNamespace).Get(ctx, a.Name, metav1.GetOptions{})
}

// Refresh asks Argo CD to read the repository again (as the UI's
// Refresh button does); with automated sync, a new revision then syncs.
func (a *App) Refresh(ctx context.Context) error {
	patch := []byte(`{"metadata":{"annotations":{"argocd.argoproj.io/refresh":"normal"}}}`)
	_, err := a.c.Dynamic.Resource(applicationGVR).Namespace(ArgoNamespace).Patch(ctx, a.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// Sync starts a sync of the current revision, as `argocd app sync` does:
// a sync operation on the Application.
func (a *App) Sync(ctx context.Context) error {
	patch := []byte(`{"operation":{"initiatedBy":{"username":"rollout-test"},"sync":{"syncOptions":[]}}}`)
	_, err := a.c.Dynamic.Resource(applicationGVR).Namespace(ArgoNamespace).Patch(ctx, a.Name, types.MergePatchType, patch, metav1.PatchOptions{})
	return err
}

// Delete deletes the Application with Argo CD's cascading finalizer, as
// `argocd app delete` does, and waits until it is gone.
func (a *App) Delete(ctx context.Context, timeout time.Duration) error {
	ri := a.c.Dynamic.Resource(applicationGVR).Namespace(ArgoNamespace)
	patch := []byte(`{"metadata":{"finalizers":["resources-finalizer.argocd.argoproj.io"]}}`)
	if _, err := ri.Patch(ctx, a.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		return err
	}
	if err := ri.Delete(ctx, a.Name, metav1.DeleteOptions{}); err != nil {
		return err
	}
	return a.c.Poll(ctx, timeout, func() (bool, string, error) {
		_, err := ri.Get(ctx, a.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, "", nil
		}
		return false, "Application " + a.Name + " still there", err
	})
}

// Status is what an Application says about its last sync.
type Status struct {
	Revision  string // status.sync.revision
	Sync      string // status.sync.status: Synced, OutOfSync
	Health    string // status.health.status
	Phase     string // status.operationState.phase: Running, Succeeded, Failed, Error
	Message   string // status.operationState.message
	OpRev     string // the revision the operation synced
	StartedAt time.Time
	Resources []Resource
	// Results are the operation's results per resource (kind/name:
	// status, message), for failure messages.
	Results []string
}

// Resource is one of status.resources.
type Resource struct {
	Group, Kind, Namespace, Name string
	Sync, Health, Message        string
}

// Key names a resource as Argo CD and the timeline do: Kind/name.
func (r Resource) Key() string { return r.Kind + "/" + r.Name }

// Status reads the Application's status.
func (a *App) Status(ctx context.Context) (Status, error) {
	app, err := a.Get(ctx)
	if err != nil {
		return Status{}, err
	}
	str := func(fields ...string) string { s, _, _ := unstructured.NestedString(app.Object, fields...); return s }
	s := Status{
		Revision: str("status", "sync", "revision"),
		Sync:     str("status", "sync", "status"),
		Health:   str("status", "health", "status"),
		Phase:    str("status", "operationState", "phase"),
		Message:  str("status", "operationState", "message"),
		OpRev:    str("status", "operationState", "syncResult", "revision"),
	}
	s.StartedAt, _ = time.Parse(time.RFC3339, str("status", "operationState", "startedAt"))
	resources, _, _ := unstructured.NestedSlice(app.Object, "status", "resources")
	for _, r := range resources {
		m, _ := r.(map[string]any)
		get := func(k string) string { v, _ := m[k].(string); return v }
		res := Resource{Group: get("group"), Kind: get("kind"), Namespace: get("namespace"), Name: get("name"), Sync: get("status")}
		if h, ok := m["health"].(map[string]any); ok {
			res.Health, _ = h["status"].(string)
			res.Message, _ = h["message"].(string)
		}
		s.Resources = append(s.Resources, res)
	}
	results, _, _ := unstructured.NestedSlice(app.Object, "status", "operationState", "syncResult", "resources")
	for _, r := range results {
		m, _ := r.(map[string]any)
		if m["hookPhase"] == "Failed" || m["status"] == "SyncFailed" || m["hookPhase"] == "Error" {
			s.Results = append(s.Results, fmt.Sprintf("%s/%s: %v %v", m["kind"], m["name"], m["hookPhase"], m["message"]))
		}
	}
	return s, nil
}

// Retrying: the operation failed and waits to be retried
// (syncPolicy.retry), as Argo CD says in its message.
func (s Status) Retrying() bool {
	return s.Phase == "Running" && strings.Contains(s.Message, "Retrying attempt")
}

// Unhealthy lists the resources that are not Healthy (nor without
// health, which Argo CD counts as healthy), as Kind/name (health: message).
func (s Status) Unhealthy() []string {
	var out []string
	for _, r := range s.Resources {
		if r.Health != "" && r.Health != "Healthy" {
			out = append(out, fmt.Sprintf("%s (%s: %s)", r.Key(), r.Health, r.Message))
		}
	}
	return out
}

func (s Status) String() string {
	return fmt.Sprintf("sync %s, health %s, operation %s %q", s.Sync, s.Health, s.Phase, s.Message)
}
