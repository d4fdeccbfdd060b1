package load

import (
	"fmt"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/contracts"
	"github.com/novagen/novagen/naming"
)

// checkDerivedNames: every name naming's tables derive from a catalog
// value the catalog renders is valid for its object, or an error at that
// value names the derived name at fault. Names are never shortened to
// fit: other objects and people refer to them.
func (v *validator) checkDerivedNames() {
	c := v.cat
	major := ""
	if c.Spec.Contracts != nil {
		major = contracts.Major(c.Spec.Contracts.Version)
	}
	if d, ok := v.worstDerived(naming.CatalogDerived(c.Metadata.Name, major), v.catalogHas); ok {
		ptr, what, value := "/metadata/name", "catalog name", c.Metadata.Name
		// A long major version, not the name, may be what does not fit.
		if d.Name == naming.ProtoDefinitions(c.Metadata.Name, major) && len(naming.ProtoDefinitions(c.Metadata.Name, "1")) <= d.Max {
			ptr, what, value = "/spec/contracts/version", "contracts.version", c.Spec.Contracts.Version
		}
		v.derivedError(ptr, what, value, d)
	}
	for i := range c.Spec.Services {
		s := &c.Spec.Services[i]
		has := func(f naming.Feature) bool { return v.serviceHas(s, f) }
		if d, ok := v.worstDerived(naming.ServiceDerived(s.Name), has); ok {
			v.derivedError(fmt.Sprintf("/spec/services/%d/name", i), "service name", s.Name, d)
		}
	}
	for i, e := range c.Spec.Infrastructure.External {
		if d, ok := v.worstDerived(naming.ExternalDerived(e.Name), v.catalogHas); ok {
			v.derivedError(fmt.Sprintf("/spec/infrastructure/external/%d/name", i), "external component name", e.Name, d)
		}
	}
	v.checkApplicationNames()
}

// checkApplicationNames: the Application of every partition. A partition
// novagen names (infrastructure is the longest) is at the catalog name's
// fault; one a label names, at the first service that names it.
func (v *validator) checkApplicationNames() {
	p := v.cat.Spec.Partitions
	if p == nil {
		return
	}
	name := v.cat.Metadata.Name
	if d, ok := v.worstDerived(naming.PartitionDerived(name, catalog.InfrastructurePartition), v.catalogHas); ok {
		v.derivedError("/metadata/name", "catalog name", name, d)
		return
	}
	seen := map[string]bool{}
	for _, s := range v.cat.Spec.Services {
		part, ok := s.Labels[p.Label]
		if !ok || p.Label == "" || seen[part] || partitionNameProblem(part) != "" {
			continue
		}
		seen[part] = true
		if d, ok := v.worstDerived(naming.PartitionDerived(name, part), v.catalogHas); ok {
			v.errorf(v.cat.PartitionPointer(part), "partition %q is too long for catalog %q: its %s %q would have %d characters, at most %d%s; shorten the partition or the catalog name",
				part, name, d.Object, d.Name, len(d.Name), d.Max, labelNote(d))
		}
	}
}

// catalogHas says whether the catalog renders the objects of feature f.
func (v *validator) catalogHas(f naming.Feature) bool {
	c := v.cat.Spec
	switch f {
	case naming.Always:
		return true
	case naming.Contracts:
		return c.Contracts != nil
	case naming.PreviousContracts:
		return c.Contracts != nil && c.Contracts.Previous != nil
	case naming.Alerts:
		return c.Monitoring.PrometheusOperator.Enabled
	case naming.Partitions:
		return c.Partitions != nil
	}
	return false
}

// serviceHas says whether the service's objects of feature f are
// rendered.
func (v *validator) serviceHas(s *catalog.Service, f naming.Feature) bool {
	switch f {
	case naming.Database:
		return s.Database != ""
	case naming.ClickHouse:
		return v.cat.Spec.Infrastructure.ClickHouse != nil && s.UsesClickHouse()
	case naming.TLS:
		return v.cat.Spec.Ingress != nil && s.Expose != nil && s.Expose.TLS
	}
	return v.catalogHas(f)
}

// worstDerived is the rendered derived name furthest over its limit, or
// else the first that is invalid for another reason.
func (v *validator) worstDerived(names []naming.Derived, has func(naming.Feature) bool) (naming.Derived, bool) {
	var worst naming.Derived
	found := false
	for _, d := range names {
		if !has(d.Needs) || len(derivedProblems(d)) == 0 {
			continue
		}
		if !found || len(d.Name)-d.Max > len(worst.Name)-worst.Max {
			worst, found = d, true
		}
	}
	return worst, found
}

// derivedProblems are the API server's objections to a derived name.
func derivedProblems(d naming.Derived) []string {
	var errs []string
	switch {
	case d.Service:
		errs = validation.IsDNS1035Label(d.Name)
	case d.Max <= naming.MaxLabel:
		errs = validation.IsDNS1123Label(d.Name)
	default:
		errs = validation.IsDNS1123Subdomain(d.Name)
	}
	if len(d.Name) > d.Max && len(errs) == 0 {
		errs = []string{fmt.Sprintf("must be no more than %d characters", d.Max)}
	}
	return errs
}

// derivedError reports derived name d at the catalog value it comes from.
func (v *validator) derivedError(ptr, what, value string, d naming.Derived) {
	switch n := len(d.Name); {
	case n > d.Max:
		v.errorf(ptr, "%s is too long (%d characters): its %s %q would have %d characters, at most %d%s",
			what, len(value), d.Object, d.Name, n, d.Max, labelNote(d))
	default:
		v.errorf(ptr, "%s %q cannot name its %s %q: %s", what, value, d.Object, d.Name, strings.Join(derivedProblems(d), "; "))
	}
}

// labelNote says why a name is bounded like a label value.
func labelNote(d naming.Derived) string {
	if d.Label == "" {
		return ""
	}
	return " (it is also its " + d.Label + " label)"
}
