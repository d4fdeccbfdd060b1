package load

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
)

// checkPartitions: partition names become Application and object names,
// so they must be DNS labels, and a label value must not pose as the
// infrastructure, the default or a hashed partition.
func (v *validator) checkPartitions() {
	p := v.cat.Spec.Partitions
	if p == nil {
		return
	}
	const ptr = "/spec/partitions"
	if p.Label != "" {
		if errs := validation.IsQualifiedName(p.Label); len(errs) > 0 {
			v.errorf(ptr+"/label", "partitions.label %s is not a valid label key: %s", quoteShort(p.Label), strings.Join(errs, "; "))
		}
	}
	if p.Hashed < 0 || p.Hashed > catalog.MaxHashedPartitions {
		v.errorf(ptr+"/hashed", "partitions.hashed %d is out of range: expected 0 to %d", p.Hashed, catalog.MaxHashedPartitions)
	}
	if p.Label == "" {
		return
	}
	for i, s := range v.cat.Spec.Services {
		val, ok := s.Labels[p.Label]
		if !ok {
			continue
		}
		at := fmt.Sprintf("/spec/services/%d/labels/%s", i, escapePointer(p.Label))
		if problem := partitionNameProblem(val); problem != "" {
			v.errorf(at, "service %q: partition %s (label %s) %s", s.Name, quoteShort(val), showKey(p.Label), problem)
		}
	}
}

// partitionNameProblem says why a label value cannot name a partition,
// or "".
func partitionNameProblem(name string) string {
	switch {
	case len(validation.IsDNS1123Label(name)) > 0:
		return "is not a DNS label (lower-case letters, digits and '-'): it names an Argo CD Application and objects"
	case len(name) > catalog.MaxPartitionName:
		return fmt.Sprintf("is longer than %d characters", catalog.MaxPartitionName)
	case name == catalog.InfrastructurePartition, name == catalog.DefaultPartition, strings.HasPrefix(name, catalog.HashedPartitionPrefix):
		return fmt.Sprintf("is reserved (%s, %s and %s<n> are novagen's own partitions)", catalog.InfrastructurePartition, catalog.DefaultPartition, catalog.HashedPartitionPrefix)
	}
	return ""
}
