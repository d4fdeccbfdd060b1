package check

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Problem is one way a pod spec falls short, at a field path relative to
// the pod spec (containers[app].securityContext.privileged); an empty
// Field is the pod spec as a whole.
type Problem struct {
	Field   string
	Message string
}

func (p Problem) String() string {
	if p.Field == "" {
		return p.Message
	}
	return p.Field + ": " + p.Message
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

// Resources returns every container of p without requests.cpu,
// requests.memory or limits.memory (a CPU limit is left out on purpose:
// it throttles without protecting the node).
func Resources(p Pod) []Problem {
	var bad []Problem
	eachContainer(p.Spec, func(field string, c corev1.Container) {
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
func Images(p Pod) []Problem {
	var bad []Problem
	eachContainer(p.Spec, func(field string, c corev1.Container) {
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
