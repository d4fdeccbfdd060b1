package load

import (
	"fmt"
	"net/netip"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/novagen/novagen/catalog"
)

// checkExternal: every external component, and every infrastructure
// component provided from outside, has an address the generated Service
// can point at (an ExternalName for a DNS name, an EndpointSlice for an
// IP) and, if it restricts egress, a network the API server accepts in a
// NetworkPolicy. A managed component has neither: it is its own Service.
func (v *validator) checkExternal() {
	for i, e := range v.cat.Spec.Infrastructure.External {
		v.checkAddress(fmt.Sprintf("/spec/infrastructure/external/%d", i), fmt.Sprintf("external %q", e.Name), e.Host, e.CIDR)
	}
	for _, ic := range v.cat.InfrastructureComponents() {
		v.checkProvided("/spec/infrastructure/"+ic.Name, ic.Name, ic.Name, ic.Comp.IsManaged(), ic.Comp.Host, ic.Comp.CIDR)
	}
}

// checkProvided: something novagen runs (managed; clients reach it at
// its Service service) has no host or cidr, and something provided from
// outside has a usable host (and cidr), all at base.
func (v *validator) checkProvided(base, what, service string, managed bool, host, cidr string) {
	switch {
	case managed && host != "":
		v.errorf(base+"/host", "%s: host is only for a component provided from outside (managed: false); novagen runs this one, and clients reach it at its Service %q", what, service)
	case managed && cidr != "":
		v.errorf(base+"/cidr", "%s: cidr is only for a component provided from outside (managed: false)", what)
	case !managed && host == "":
		v.errorf(base+"/managed", "%s is provided from outside (managed: false): set host, where it runs", what)
	case !managed:
		v.checkAddress(base, what, host, cidr)
	}
}

// checkAddress checks the host and cidr of something outside the
// namespace, what names it, at base.
func (v *validator) checkAddress(base, what, host, cidr string) {
	addr, isIP := catalog.ParseIP(host)
	switch {
	case isIP:
		if why := unusableIP(addr); why != "" {
			v.errorf(base+"/host", "%s: host %s is %s, which no Service can point at", what, host, why)
		}
	case len(validation.IsDNS1123Subdomain(host)) > 0:
		v.errorf(base+"/host", "%s: host %s is neither an IP address nor a DNS name (lower-case letters, digits, '-' and '.', at most 253 characters)", what, quoteShort(host))
	case looksNumeric(host):
		v.errorf(base+"/host", "%s: host %s is neither a DNS name (its last label is all digits) nor an IP address in canonical form (no leading zeros)", what, quoteShort(host))
	case !strings.Contains(host, "."):
		v.errorf(base+"/host", "%s: host %q must be fully qualified (e.g. %s.<namespace>.svc.cluster.local): a bare name resolves inside this namespace, to the Service novagen creates for it", what, host, host)
	}
	if cidr == "" {
		return
	}
	prefix, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil:
		v.errorf(base+"/cidr", "%s: cidr %s is not a network such as 10.20.0.0/16", what, quoteShort(cidr))
	case prefix.Masked() != prefix:
		v.errorf(base+"/cidr", "%s: cidr %s has host bits set (did you mean %s?)", what, cidr, prefix.Masked())
	case isIP && !prefix.Contains(addr):
		v.errorf(base+"/cidr", "%s: cidr %s does not contain its host %s", what, cidr, host)
	}
}

// looksNumeric: the last label of a DNS name is never all digits, so such
// a host is a mistyped IP address.
func looksNumeric(host string) bool {
	last := host[strings.LastIndex(host, ".")+1:]
	return strings.Trim(last, "0123456789") == ""
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
