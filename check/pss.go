package check

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Problem is one way a pod spec falls short, at a field path relative to
// the pod spec (containers[app].securityContext.privileged).
type Problem struct {
	Field   string
	Message string
}

func (p Problem) String() string { return p.Field + ": " + p.Message }

// restrictedVolumes are the volume types Pod Security "restricted"
// allows; hostPath and every in-tree network volume are not among them.
var restrictedVolumes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

// Restricted returns every way p falls short of Pod Security
// "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/).
func Restricted(p corev1.PodSpec) []Problem {
	var bad []Problem
	fail := func(field, format string, args ...any) {
		bad = append(bad, Problem{field, fmt.Sprintf(format, args...)})
	}
	if p.HostNetwork || p.HostPID || p.HostIPC {
		fail("hostNetwork", "hostNetwork/hostPID/hostIPC must be false")
	}
	for _, v := range p.Volumes {
		if t := volumeType(v); !slices.Contains(restrictedVolumes, t) {
			fail("volumes["+v.Name+"]", "type %s is not allowed", t)
		}
	}
	psc := p.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	eachContainer(p, func(field string, c corev1.Container) {
		for _, pr := range restrictedContainer(c, psc) {
			fail(field+"."+pr.Field, "%s", pr.Message)
		}
	})
	return bad
}

// eachContainer calls f with every container and its field path.
func eachContainer(p corev1.PodSpec, f func(field string, c corev1.Container)) {
	for _, c := range p.InitContainers {
		f("initContainers["+c.Name+"]", c)
	}
	for _, c := range p.Containers {
		f("containers["+c.Name+"]", c)
	}
	for _, c := range p.EphemeralContainers {
		f("ephemeralContainers["+c.Name+"]", corev1.Container(c.EphemeralContainerCommon))
	}
}

func restrictedContainer(c corev1.Container, psc *corev1.PodSecurityContext) []Problem {
	var bad []Problem
	fail := func(field, format string, args ...any) {
		bad = append(bad, Problem{field, fmt.Sprintf(format, args...)})
	}
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if sc.Privileged != nil && *sc.Privileged {
		fail("securityContext.privileged", "privileged")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		fail("securityContext.allowPrivilegeEscalation", "allowPrivilegeEscalation must be false")
	}
	if nonRoot := or(sc.RunAsNonRoot, psc.RunAsNonRoot); nonRoot == nil || !*nonRoot {
		fail("securityContext.runAsNonRoot", "runAsNonRoot must be true")
	}
	if uid := or(sc.RunAsUser, psc.RunAsUser); uid == nil || *uid <= 0 {
		fail("securityContext.runAsUser", "runAsUser must be a UID > 0")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		fail("securityContext.capabilities.drop", "capabilities must drop ALL")
	} else if slices.ContainsFunc(sc.Capabilities.Add, func(c corev1.Capability) bool { return c != "NET_BIND_SERVICE" }) {
		fail("securityContext.capabilities.add", "capabilities may add only NET_BIND_SERVICE, not %v", sc.Capabilities.Add)
	}
	if prof := or(sc.SeccompProfile, psc.SeccompProfile); prof == nil ||
		(prof.Type != corev1.SeccompProfileTypeRuntimeDefault && prof.Type != corev1.SeccompProfileTypeLocalhost) {
		fail("securityContext.seccompProfile", "seccompProfile must be RuntimeDefault or Localhost")
	}
	for _, p := range c.Ports {
		if p.HostPort != 0 {
			fail("ports", "hostPort %d", p.HostPort)
		}
	}
	return bad
}

// Resources returns every container of p without requests.cpu,
// requests.memory or limits.memory (a CPU limit is left out on purpose:
// it throttles without protecting the node).
func Resources(p corev1.PodSpec) []Problem {
	var bad []Problem
	eachContainer(p, func(field string, c corev1.Container) {
		r := c.Resources
		var missing []string
		if r.Requests.Cpu().IsZero() {
			missing = append(missing, "requests.cpu")
		}
		if r.Requests.Memory().IsZero() {
			missing = append(missing, "requests.memory")
		}
		if r.Limits.Memory().IsZero() {
			missing = append(missing, "limits.memory")
		}
		if len(missing) > 0 {
			bad = append(bad, Problem{field + ".resources", "needs " + strings.Join(missing, ", ")})
		}
	})
	return bad
}

// Images returns every container of p whose image is not pinned.
func Images(p corev1.PodSpec) []Problem {
	var bad []Problem
	eachContainer(p, func(field string, c corev1.Container) {
		if why := unpinned(c.Image); why != "" {
			bad = append(bad, Problem{field + ".image", fmt.Sprintf("%q: %s", c.Image, why)})
		}
	})
	return bad
}

// unpinned says why image is not pinned: it needs a tag other than
// latest, or a digest.
func unpinned(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:] // a registry port is no tag
	i := strings.LastIndex(last, ":")
	switch {
	case image == "":
		return "no image"
	case i < 0:
		return "no tag"
	case last[i+1:] == "latest":
		return "tag latest is not pinned"
	}
	return ""
}

// volumeType is the name of the one source field a volume sets.
func volumeType(v corev1.Volume) string {
	b, _ := json.Marshal(v.VolumeSource)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	for k := range m {
		return k
	}
	return "none"
}

func or[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}
