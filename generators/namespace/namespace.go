// Package namespace is the generator namespace: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail:
//
//   - the Namespace, labelled for Pod Security Admission so the API
//     server itself enforces the "restricted" profile every generated pod
//     follows (enforce, audit and warn), and annotated
//     argocd.argoproj.io/sync-options: Delete=false, so deleting the Argo
//     CD Application keeps it and the data volumes in it
//     (SyncOptionNoDeletion). Left out when the catalog says
//     createNamespace: false, for teams whose namespaces are made
//     elsewhere;
//   - default-deny: no ingress, no egress for any pod of the namespace,
//     so every connection needs an allow-list (generator network-policies
//     and the Job generators write them).
package namespace

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "namespace"

// Pod Security Admission labels and the level novagen's pods meet.
const (
	LabelEnforce    = "pod-security.kubernetes.io/enforce"
	LabelAudit      = "pod-security.kubernetes.io/audit"
	LabelWarn       = "pod-security.kubernetes.io/warn"
	LevelRestricted = "restricted"
)

// Argo CD's per-resource sync options, and the one that keeps the
// Namespace when the Application that synced it is deleted
// (gitops-engine's SyncOptionDisableDeletion). The data lives in
// PersistentVolumeClaims made from the StatefulSets' volumeClaimTemplates:
// Argo CD does not track them and the StatefulSets retain them
// (persistentVolumeClaimRetentionPolicy Retain), so they stay as long as
// their Namespace does; deleting the Namespace with the Application would
// delete every one of them, and the data.
const (
	AnnotationSyncOptions = "argocd.argoproj.io/sync-options"
	SyncOptionNoDeletion  = "Delete=false"
)

// Generate returns the Namespace (unless the catalog makes none) and the
// default-deny NetworkPolicy: shared objects, rendered with the
// infrastructure partition.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	if !cat.OwnsShared() {
		return nil, nil
	}
	var out []kube.Object
	if cat.CreatesNamespace() {
		meta := kube.Meta(cat, Name, cat.Spec.Namespace, kube.ComponentNamespace)
		meta.Namespace = "" // cluster-scoped
		for _, l := range []string{LabelEnforce, LabelAudit, LabelWarn} {
			meta.Labels[l] = LevelRestricted
		}
		meta.Annotations[AnnotationSyncOptions] = SyncOptionNoDeletion
		out = append(out, &corev1.Namespace{TypeMeta: kube.TypeMeta("v1", "Namespace"), ObjectMeta: meta})
	}
	return append(out, kube.NetworkPolicy(cat, Name, naming.DefaultDenyPolicy, nil, nil, nil)), nil
}
