// Package kube holds what every generator shares when it builds typed
// Kubernetes objects: the Object type, recommended labels and object
// metadata, and the restricted pod security profile. One place, so every
// generated object carries the same labels and every pod the same
// security defaults.
package kube

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/kobj"
	"github.com/novagen/novagen/naming"
)

// Object is any generated Kubernetes object (kobj.Object, which render
// prints without importing the generators).
type Object = kobj.Object

// Recommended label keys (kubernetes.io docs, "Recommended Labels"):
// naming's, which the loader keeps catalog labels off
// (naming.GeneratedLabels).
const (
	LabelName      = naming.LabelName
	LabelComponent = naming.LabelComponent
	LabelPartOf    = naming.LabelPartOf
	LabelManagedBy = naming.LabelManagedBy
	LabelVersion   = "app.kubernetes.io/version"

	// AnnotationGenerator names the generator an object came from, so a
	// reviewer can trace any object back to its code.
	AnnotationGenerator = "novagen.nova.dev/generator"

	// LabelProtocol on a service's pods names the protocol it serves
	// (grpc or http). It is on the pod template only, not in the
	// Deployment's selector, which is immutable on a live cluster: a
	// new label there could never reach an existing Deployment.
	LabelProtocol = naming.LabelProtocol

	// AnnotationNode names the catalog node (an infrastructure component)
	// an object belongs to when its app.kubernetes.io/name does not: the
	// object then takes that node's place in the startup order (the topic
	// Job runs in Kafka's wave, not before it).
	AnnotationNode = "novagen.nova.dev/node"

	ManagedBy = "novagen"

	// AnnotationRotation carries the catalog's secrets.rotation on every
	// pod template that reads a credential: changing the value rolls them.
	AnnotationRotation = "novagen.nova.dev/credentials-rotation"
	// AnnotationReloader asks Stakater Reloader to roll the Deployment
	// when one of the named Secrets changes (secrets.reloader: true).
	AnnotationReloader = "secret.reloader.stakater.com/reload"
)

// Component values, shared so selectors and labels cannot drift apart.
const (
	ComponentGRPCService   = "grpc-service"
	ComponentCredentials   = "credentials"
	ComponentDBInit        = naming.DBInitComponent
	ComponentMigrations    = naming.MigrationsComponent
	ComponentNetworkPolicy = "network-policy"
	ComponentNamespace     = "namespace"
	ComponentExternal      = "external"
)

// Labels are the recommended labels of an object named name that plays
// role component in the catalog's application.
func Labels(cat *catalog.Catalog, name, component string) map[string]string {
	return map[string]string{
		LabelName:      name,
		LabelComponent: component,
		LabelPartOf:    cat.Metadata.Name,
		LabelManagedBy: ManagedBy,
	}
}

// GRPCPodSelector selects the pods of every catalog service, whatever
// protocol it serves (component grpc-service predates http services).
func GRPCPodSelector(cat *catalog.Catalog) map[string]string {
	return map[string]string{
		LabelPartOf:    cat.Metadata.Name,
		LabelComponent: ComponentGRPCService,
	}
}

// ProtocolPodSelector selects the pods of the catalog's services that
// serve protocol (catalog.ProtocolGRPC, ProtocolHTTP).
func ProtocolPodSelector(cat *catalog.Catalog, protocol string) map[string]string {
	sel := GRPCPodSelector(cat)
	sel[LabelProtocol] = protocol
	return sel
}

// JobPodSelector selects the pods of the catalog's Jobs of component.
func JobPodSelector(cat *catalog.Catalog, component string) map[string]string {
	return map[string]string{LabelPartOf: cat.Metadata.Name, LabelComponent: component}
}

// Meta is the metadata of a generated object in the catalog's namespace.
func Meta(cat *catalog.Catalog, generator, name, component string) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:        name,
		Namespace:   cat.Spec.Namespace,
		Labels:      Labels(cat, name, component),
		Annotations: map[string]string{AnnotationGenerator: generator},
	}
}

// TypeMeta sets apiVersion and kind, which typed structs leave empty.
func TypeMeta(apiVersion, kind string) metav1.TypeMeta {
	return metav1.TypeMeta{APIVersion: apiVersion, Kind: kind}
}

// BelongTo marks every object of objs not named node as belonging to it
// (AnnotationNode).
func BelongTo(node string, objs []Object) {
	for _, o := range objs {
		if o.GetLabels()[LabelName] == node {
			continue
		}
		ann := o.GetAnnotations()
		if ann == nil {
			ann = map[string]string{}
		}
		ann[AnnotationNode] = node
		o.SetAnnotations(ann)
	}
}

// Owner is the catalog node an object belongs to: AnnotationNode, else
// its app.kubernetes.io/name.
func Owner(o metav1.Object) string {
	if n, ok := o.GetAnnotations()[AnnotationNode]; ok {
		return n
	}
	return o.GetLabels()[LabelName]
}
