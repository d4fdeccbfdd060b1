package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"

	catalog "github.com/novagen/novagen/schema"
)

func TestGRPCPodSelectorIsSubsetOfLabels(t *testing.T) {
	cat := &catalog.Catalog{Metadata: catalog.Metadata{Name: "nova"}}
	labels := Labels(cat, "user-service", ComponentGRPCService)
	for k, v := range GRPCPodSelector(cat) {
		assert.Equal(t, v, labels[k], "selector key %s must match the labels of a gRPC pod", k)
	}
}
