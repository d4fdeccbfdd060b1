package output

import (
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"

	"github.com/novagen/novagen/naming"
)

// TestDiscoverySelectsGRPCPods: in every test catalog, the headless
// discovery Service, which publishes the gRPC port, selects exactly the
// pods of the gRPC services' Deployments: none of an http service, where
// nothing listens on that port.
func TestDiscoverySelectsGRPCPods(t *testing.T) {
	checked := 0
	for _, c := range loadTestCatalogs(t) {
		cat := c.cat
		var want []string
		for _, s := range cat.Spec.Services {
			if !s.HTTP() {
				want = append(want, s.Name)
			}
		}
		r := collect(t, c.render(t))
		i := slices.IndexFunc(r.services, func(s corev1.Service) bool { return s.Name == naming.HeadlessService(cat.Metadata.Name) })
		if i < 0 || len(r.deployments) == 0 {
			continue // a catalog rendering neither
		}
		sel := labels.SelectorFromSet(r.services[i].Spec.Selector)
		var got []string
		for _, d := range r.deployments {
			if sel.Matches(labels.Set(d.Spec.Template.Labels)) {
				got = append(got, d.Name)
			}
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: %s selects the pods of %v, want the gRPC services %v", c.name, r.services[i].Name, got, want)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d catalogs checked", checked)
	}
}
