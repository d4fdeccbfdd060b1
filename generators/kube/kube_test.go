package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/naming"
)

func TestGRPCPodSelectorIsSubsetOfLabels(t *testing.T) {
	cat := &catalog.Catalog{Metadata: catalog.Metadata{Name: "nova"}}
	labels := Labels(cat, "user-service", ComponentGRPCService)
	for k, v := range GRPCPodSelector(cat) {
		assert.Equal(t, v, labels[k], "selector key %s must match the labels of a gRPC pod", k)
	}
}

func TestJVMHeapIsHalfTheLimit(t *testing.T) {
	for limit, want := range map[string]string{"2Gi": "-Xms1024m -Xmx1024m", "1Gi": "-Xms512m -Xmx512m", "512Mi": "-Xms256m -Xmx256m", "3G": "-Xms1430m -Xmx1430m"} {
		assert.Equal(t, want, JVMHeap(catalog.Resources{Limits: map[string]string{"memory": limit}}), limit)
	}
}

// TestBelongTo: objects not named after the node carry it; the owner of
// an object is that node, else its name label.
func TestBelongTo(t *testing.T) {
	cat := &catalog.Catalog{Metadata: catalog.Metadata{Name: "nova"}}
	named := &metav1.PartialObjectMetadata{ObjectMeta: Meta(cat, "kafka", "kafka", ComponentServer)}
	other := &metav1.PartialObjectMetadata{ObjectMeta: Meta(cat, "kafka", "kafka-headless", ComponentServer)}
	BelongTo("kafka", []Object{named, other})
	assert.NotContains(t, named.Annotations, AnnotationNode)
	assert.Equal(t, "kafka", other.Annotations[AnnotationNode])
	assert.Equal(t, "kafka", Owner(named))
	assert.Equal(t, "kafka", Owner(other))
	assert.Equal(t, "kafka-headless", other.Labels[LabelName], "the name label stays")
}

// TestServerPodLabelsAreGenerated: a component's pods carry its podLabels
// and only generated labels besides (naming.GeneratedLabels, which the
// loader keeps the catalog's podLabels off).
func TestServerPodLabelsAreGenerated(t *testing.T) {
	cat := &catalog.Catalog{Metadata: catalog.Metadata{Name: "nova"}}
	objs := ServerObjects(cat, "postgres", Server{Name: "postgres", Headless: "postgres-headless", Storage: "1Gi", Volume: "data",
		PodLabels: map[string]string{"app": "pg"}})
	checked := 0
	for _, o := range objs {
		sts, ok := o.(*appsv1.StatefulSet)
		if !ok {
			continue
		}
		for k := range sts.Spec.Template.Labels {
			if k != "app" {
				assert.Contains(t, naming.GeneratedLabels(), k, "pod label %s", k)
			}
		}
		checked++
	}
	assert.Equal(t, 1, checked)
}
