package schema

import (
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
)

// checkExternal: every external component has an address the generated
// Service can point at (an ExternalName for a DNS name, an EndpointSlice
// for an IP) and, if it restricts egress, a network the API server
// accepts in a NetworkPolicy.
func (v *validator) checkExternal() {
	for i, e := range v.cat.Spec.Infrastructure.External {
		base := fmt.Sprintf("/spec/infrastructure/external/%d", i)
		addr, isIP := parseIP(e.Host)
		switch {
		case isIP:
			if why := unusableIP(addr); why != "" {
				v.errorf(base+"/host", "external %q: host %s is %s, which no Service can point at", e.Name, e.Host, why)
			}
		case len(validation.IsDNS1123Subdomain(e.Host)) > 0:
			v.errorf(base+"/host", "external %q: host %s is neither an IP address nor a DNS name (lower-case letters, digits, '-' and '.', at most 253 characters)", e.Name, quoteShort(e.Host))
		case looksNumeric(e.Host):
			v.errorf(base+"/host", "external %q: host %q is neither a DNS name (its last label is all digits) nor an IP address in canonical form (no leading zeros)", e.Name, e.Host)
		case !strings.Contains(e.Host, "."):
			v.errorf(base+"/host", "external %q: host %q must be fully qualified (e.g. %s.<namespace>.svc.cluster.local): a bare name resolves inside this namespace, to the Service novagen creates for it", e.Name, e.Host, e.Host)
		}
		if e.CIDR == "" {
			continue
		}
		prefix, err := netip.ParsePrefix(e.CIDR)
		switch {
		case err != nil:
			v.errorf(base+"/cidr", "external %q: cidr %s is not a network such as 10.20.0.0/16", e.Name, quoteShort(e.CIDR))
		case prefix.Masked() != prefix:
			v.errorf(base+"/cidr", "external %q: cidr %s has host bits set (did you mean %s?)", e.Name, e.CIDR, prefix.Masked())
		case isIP && !prefix.Contains(addr):
			v.errorf(base+"/cidr", "external %q: cidr %s does not contain its host %s", e.Name, e.CIDR, e.Host)
		}
	}
}

// looksNumeric: the last label of a DNS name is never all digits, so such
// a host is a mistyped IP address.
func looksNumeric(host string) bool {
	last := host[strings.LastIndex(host, ".")+1:]
	return strings.Trim(last, "0123456789") == ""
}

// parseIP reads host as an IP address in the one form the API server
// accepts (no leading zeros, no zone).
func parseIP(host string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, false
	}
	return a.Unmap(), true
}

// unusableIP names what makes an address unusable as a Service endpoint;
// the API server rejects these in an EndpointSlice.
func unusableIP(a netip.Addr) string {
	switch {
	case a.IsUnspecified():
		return "unspecified"
	case a.IsLoopback():
		return "a loopback address"
	case a.IsLinkLocalUnicast(), a.IsLinkLocalMulticast():
		return "link-local"
	case a.IsMulticast():
		return "multicast"
	}
	return ""
}
