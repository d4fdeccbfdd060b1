package main

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"strconv"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/syncwaves"
)

// quotaSchema is what spec.extensions.team-quota may hold; novagen's
// loader checks the catalog against it, so Generate reads a valid one.
//
//go:embed quota.schema.json
var quotaSchema []byte

// name is the generator's, and so its catalog section's:
// spec.extensions.team-quota.
const name = "team-quota"

// teamQuota is the generator.
var teamQuota = generators.Generator{
	Name:        name,
	Description: "the team's ResourceQuota (spec.extensions.team-quota: cpu, memory, pods)",
	Phase:       syncwaves.PhaseNamespace, // before anything that makes pods
	Generate:    generateQuota,
	Extension:   quotaSchema,
}

// quota is the catalog section, as the schema describes it.
type quota struct {
	CPU     string `json:"cpu"`
	Memory  string `json:"memory"`
	Pods    int    `json:"pods"`
	Contact string `json:"contact"`
}

// podsPerService is the default pod budget of a catalog service.
const podsPerService = 10

// generateQuota emits one ResourceQuota for a catalog with a team-quota
// section (none without), in the partition that owns the namespace's
// shared objects.
func generateQuota(cat *catalog.Catalog) ([]kube.Object, error) {
	raw, ok := cat.Spec.Extensions[name]
	if !ok || !cat.OwnsShared() {
		return nil, nil
	}
	var q quota
	if err := json.Unmarshal(raw, &q); err != nil {
		return nil, fmt.Errorf("spec.extensions.%s: %w", name, err)
	}
	if q.Pods == 0 {
		q.Pods = podsPerService * len(cat.Spec.Services)
	}
	hard := corev1.ResourceList{corev1.ResourcePods: resource.MustParse(strconv.Itoa(q.Pods))}
	for resourceName, value := range map[corev1.ResourceName]string{corev1.ResourceRequestsCPU: q.CPU, corev1.ResourceRequestsMemory: q.Memory} {
		v, err := resource.ParseQuantity(value)
		if err != nil {
			return nil, fmt.Errorf("spec.extensions.%s: %s: %w", name, resourceName, err)
		}
		hard[resourceName] = v
	}
	meta := kube.Meta(cat, name, cat.Metadata.Name+"-quota", "quota")
	if q.Contact != "" {
		meta.Annotations["novagen.example/contact"] = q.Contact
	}
	return []kube.Object{&corev1.ResourceQuota{
		TypeMeta:   kube.TypeMeta("v1", "ResourceQuota"),
		ObjectMeta: meta,
		Spec:       corev1.ResourceQuotaSpec{Hard: hard},
	}}, nil
}
