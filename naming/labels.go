package naming

// Label keys novagen sets on what it generates: kubernetes.io's
// recommended labels, and the protocol of a service's pods.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelComponent = "app.kubernetes.io/component"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	// LabelProtocol on a service's pods names the protocol it serves.
	LabelProtocol = "novagen.nova.dev/protocol"
)

// GeneratedLabels are the keys of every label novagen sets on the
// objects and pods it generates (generators/kube builds them from these
// constants). A catalog label with one of these keys would either be
// overwritten by novagen's or overwrite it, and with it what selects
// the pods, so the loader refuses it.
func GeneratedLabels() []string {
	return []string{LabelName, LabelComponent, LabelPartOf, LabelManagedBy, LabelProtocol}
}
