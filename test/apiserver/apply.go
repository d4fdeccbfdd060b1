package apiserver

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"

	"github.com/novagen/novagen/test/apiserver/kubeapi"
)

var (
	namespaceGVR      = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	serviceAccountGVR = schema.GroupVersionResource{Version: "v1", Resource: "serviceaccounts"}
)

// harness applies manifests to the cluster. Both the examples test and the
// broken-fixture test go through applyFile, so the broken fixtures prove
// that the very code path used for the examples can fail.
type harness struct {
	*kubeapi.Client
	warnings   *warningRecorder
	namespaces map[string]bool // namespaces known to exist
}

func newHarness(cfg *rest.Config) (*harness, error) {
	cfg = rest.CopyConfig(cfg)
	warnings := &warningRecorder{}
	cfg.WarningHandlerWithContext = warnings
	c, err := kubeapi.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	return &harness{Client: c, warnings: warnings, namespaces: map[string]bool{}}, nil
}

// rejection is one object the API server refused.
type rejection struct {
	File, APIVersion, Kind, Namespace, Name string
	Message                                 string // the server's message
	YAML                                    string // the object as sent
}

func (r rejection) String() string {
	ns := r.Namespace
	if ns == "" {
		ns = "(cluster-scoped)"
	}
	return fmt.Sprintf("REJECTED %s %s namespace=%s name=%s\n  file: %s\n  server: %s\n  object:\n%s",
		r.APIVersion, r.Kind, ns, r.Name, r.File, r.Message, indent(r.YAML, "    "))
}

// fileResult is the outcome of applying one manifest file.
type fileResult struct {
	File       string
	Total      int
	Rejections []rejection
	Warnings   []string // server warnings (deprecations, PodSecurity, ...)
}

func (r fileResult) Accepted() int { return r.Total - len(r.Rejections) }

// applyFile applies every object in path with server-side apply and
// DryRun=All, after creating (for real) the namespaces they live in. An
// object the server refuses becomes a rejection; err is only for problems
// that make the file untestable (unreadable YAML, cluster unreachable).
func (h *harness) applyFile(ctx context.Context, path string) (fileResult, error) {
	res := fileResult{File: path}
	objs, err := kubeapi.ReadObjects(path)
	if err != nil {
		return res, err
	}
	res.Total = len(objs)

	type target struct {
		obj     *unstructured.Unstructured
		mapping *meta.RESTMapping
	}
	// First resolve kinds and create namespaces, so that the order of
	// documents in the file (e.g. a Namespace object after its contents)
	// does not matter.
	var targets []target
	for _, obj := range objs {
		gvk := obj.GroupVersionKind()
		mapping, err := h.Mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
		if err != nil {
			res.Rejections = append(res.Rejections, newRejection(path, obj, "no such API resource: "+err.Error()))
			continue
		}
		if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			if obj.GetNamespace() == "" {
				obj.SetNamespace(metav1.NamespaceDefault) // as kubectl does
			}
			if err := h.ensureNamespace(ctx, obj.GetNamespace()); err != nil {
				return res, err
			}
		}
		targets = append(targets, target{obj, mapping})
	}

	for _, tg := range targets {
		obj := tg.obj
		if obj.GetName() == "" {
			res.Rejections = append(res.Rejections, newRejection(path, obj, "metadata.name is required for apply"))
			continue
		}
		var ri dynamic.ResourceInterface = h.Dyn.Resource(tg.mapping.Resource)
		if tg.mapping.Scope.Name() == meta.RESTScopeNameNamespace {
			ri = h.Dyn.Resource(tg.mapping.Resource).Namespace(obj.GetNamespace())
		}
		_, err := ri.Apply(ctx, obj.GetName(), obj, metav1.ApplyOptions{
			FieldManager: kubeapi.FieldManager,
			Force:        true,
			DryRun:       []string{metav1.DryRunAll},
		})
		for _, w := range h.warnings.drain() {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s %s/%s: %s", obj.GetKind(), obj.GetNamespace(), obj.GetName(), w))
		}
		if err != nil {
			verdict, ok := serverVerdict(err)
			if !ok {
				return res, fmt.Errorf("%s: apply %s %s: %w", path, obj.GetKind(), obj.GetName(), err)
			}
			res.Rejections = append(res.Rejections, newRejection(path, obj, verdict))
		}
	}
	return res, nil
}

// serverVerdict tells a refusal by the server (validation, admission, a
// field not in the schema, ...) from a transport problem, which is not a
// finding about the manifest. The HTTP code and reason are appended because
// some refusals come back as 500 (e.g. "failed to create typed patch object"
// for a field the schema does not declare).
func serverVerdict(err error) (string, bool) {
	var status apierrors.APIStatus
	if !errors.As(err, &status) {
		return "", false
	}
	s := status.Status()
	code := fmt.Sprintf("HTTP %d", s.Code)
	if s.Reason != "" {
		code += " " + string(s.Reason)
	}
	return fmt.Sprintf("%s [%s]", err.Error(), code), true
}

// ensureNamespace creates a namespace (for real: dry-run objects in a
// namespace that does not exist are refused by NamespaceLifecycle) together
// with its "default" ServiceAccount, which the absent controller manager
// would create and which ServiceAccount admission needs for bare Pods.
func (h *harness) ensureNamespace(ctx context.Context, ns string) error {
	if h.namespaces[ns] {
		return nil
	}
	nsObj := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Namespace",
		"metadata": map[string]any{"name": ns},
	}}
	if _, err := h.Dyn.Resource(namespaceGVR).Create(ctx, nsObj, metav1.CreateOptions{FieldManager: kubeapi.FieldManager}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create namespace %s: %w", ns, err)
	}
	sa := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "ServiceAccount",
		"metadata": map[string]any{"name": "default", "namespace": ns},
	}}
	if _, err := h.Dyn.Resource(serviceAccountGVR).Namespace(ns).Create(ctx, sa, metav1.CreateOptions{FieldManager: kubeapi.FieldManager}); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create default service account in %s: %w", ns, err)
	}
	h.namespaces[ns] = true
	return nil
}

func newRejection(path string, obj *unstructured.Unstructured, msg string) rejection {
	return rejection{
		File:       filepath.Base(path),
		APIVersion: obj.GetAPIVersion(),
		Kind:       obj.GetKind(),
		Namespace:  obj.GetNamespace(),
		Name:       obj.GetName(),
		Message:    msg,
		YAML:       kubeapi.ToYAML(obj),
	}
}

// warningRecorder collects the server's Warning headers so they can be
// attributed to the object whose request produced them.
type warningRecorder struct {
	mu   sync.Mutex
	msgs []string
}

func (w *warningRecorder) HandleWarningHeaderWithContext(_ context.Context, _ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.msgs = append(w.msgs, text)
}

func (w *warningRecorder) drain() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.msgs
	w.msgs = nil
	return out
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}
