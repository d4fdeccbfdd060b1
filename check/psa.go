package check

import (
	"slices"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/pod-security-admission/api"
	psa "k8s.io/pod-security-admission/policy"
)

// restrictedLevel is Pod Security "restricted" as the newest policy
// version of the library defines it: what a namespace labelled
// pod-security.kubernetes.io/enforce: restricted (as novagen labels its
// namespaces) admits on the API server release of our k8s.io modules.
var restrictedLevel = api.LevelVersion{Level: api.LevelRestricted, Version: api.LatestVersion()}

// evaluator is Pod Security Admission's own: the API server's checks,
// not a copy of them. Made on first use: render never needs it.
var evaluator = sync.OnceValue(func() psa.Evaluator {
	e, err := psa.NewEvaluator(psa.DefaultChecks(), nil)
	if err != nil {
		panic("pod security checks: " + err.Error()) // the library's own list: cannot be invalid
	}
	return e
})

// reasonFields places a Pod Security reason (CheckResult.ForbiddenReason)
// at the field it is about, relative to the pod spec or to the container
// it names. A reason missing here is placed at the pod spec, container
// or volume as a whole.
var reasonFields = map[string]string{
	"privileged":                        "securityContext.privileged",
	"hostPort":                          "ports",
	"non-default capabilities":          "securityContext.capabilities",
	"unrestricted capabilities":         "securityContext.capabilities",
	"forbidden AppArmor profile":        "securityContext.appArmorProfile",
	"forbidden AppArmor profiles":       "securityContext.appArmorProfile",
	"seLinuxOptions":                    "securityContext.seLinuxOptions",
	"procMount":                         "securityContext.procMount",
	"seccompProfile":                    "securityContext.seccompProfile",
	"forbidden sysctls":                 "securityContext.sysctls",
	"hostProcess":                       "securityContext.windowsOptions.hostProcess",
	"allowPrivilegeEscalation != false": "securityContext.allowPrivilegeEscalation",
	"runAsNonRoot != true":              "securityContext.runAsNonRoot",
	"runAsUser=0":                       "securityContext.runAsUser",
}

// reasonHints complete a reason whose detail names only what is wrong
// with what the standard allows instead.
var reasonHints = map[string]string{
	"unrestricted capabilities": "restricted: drop ALL, add only NET_BIND_SERVICE",
}

// Restricted returns every way p falls short of Pod Security
// "restricted" (https://kubernetes.io/docs/concepts/security/pod-security-standards/),
// as Pod Security Admission judges it, each at the field at fault, plus
// a runAsUser that is not set at all (see numericUID).
//
// The library says what is wrong but not where: its detail names
// containers and volumes, but not as field paths. So the pod is judged
// part by part: its pod-level fields alone, then with each container
// and each volume in turn; a part's result that says no more than the
// pod level's is left out. Whatever the whole pod fails that no part
// was charged with is still reported, at the pod spec.
func Restricted(p Pod) []Problem {
	meta := &metav1.ObjectMeta{Labels: p.Labels, Annotations: p.Annotations}
	base := p.Spec
	base.InitContainers, base.Containers, base.EphemeralContainers, base.Volumes = nil, nil, nil, nil

	var bad []Problem
	charged := map[string]bool{} // reasons reported
	report := func(field string, r psa.CheckResult) {
		bad = append(bad, problem(field, r))
		charged[r.ForbiddenReason] = true
	}
	podLevel := forbidden(meta, base)
	for _, r := range podLevel {
		report(podField(r, p.Spec), r)
	}
	for _, part := range parts(p.Spec) {
		spec := base
		part.add(&spec)
		for _, r := range forbidden(meta, spec) {
			if !slices.Contains(podLevel, r) {
				report(part.fieldOf(r), r)
			}
		}
	}
	for _, r := range forbidden(meta, p.Spec) {
		if !charged[r.ForbiddenReason] {
			report("", r)
		}
	}
	return append(bad, numericUID(p.Spec)...)
}

// forbidden returns the checks spec fails at restricted, in the
// library's order.
func forbidden(meta *metav1.ObjectMeta, spec corev1.PodSpec) []psa.CheckResult {
	var out []psa.CheckResult
	for _, r := range evaluator().EvaluatePod(restrictedLevel, meta, &spec) {
		if !r.Allowed {
			out = append(out, r)
		}
	}
	return out
}

// problem is r at field: the rule that failed, then the library's
// detail, which says what to set or not set, and any hint.
func problem(field string, r psa.CheckResult) Problem {
	msg := r.ForbiddenReason
	if r.ForbiddenDetail != "" {
		msg += ": " + r.ForbiddenDetail
	}
	if h := reasonHints[r.ForbiddenReason]; h != "" {
		msg += " (" + h + ")"
	}
	return Problem{Field: field, Message: msg}
}

// part is one container or volume of a pod spec, which Restricted adds
// alone to the pod-level fields.
type part struct {
	field     string // containers[app], volumes[data]...
	add       func(*corev1.PodSpec)
	container bool // results are placed within it by reasonFields
}

// parts lists p's containers (init, regular, ephemeral) and volumes. A
// container is judged as a regular one: Pod Security treats all three
// kinds alike.
func parts(p corev1.PodSpec) []part {
	var out []part
	eachContainer(p, func(field string, c corev1.Container) {
		out = append(out, part{field, func(s *corev1.PodSpec) { s.Containers = []corev1.Container{c} }, true})
	})
	for _, v := range p.Volumes {
		out = append(out, part{"volumes[" + v.Name + "]", func(s *corev1.PodSpec) { s.Volumes = []corev1.Volume{v} }, false})
	}
	return out
}

// fieldOf places r within the part.
func (pt part) fieldOf(r psa.CheckResult) string {
	if !pt.container {
		return pt.field
	}
	return join(pt.field, reasonFields[r.ForbiddenReason])
}

// podField places a pod-level result: host namespaces at the first of
// hostNetwork, hostPID, hostIPC that is set (the detail lists them all).
func podField(r psa.CheckResult, p corev1.PodSpec) string {
	if r.ForbiddenReason == "host namespaces" {
		switch {
		case p.HostNetwork:
			return "hostNetwork"
		case p.HostPID:
			return "hostPID"
		case p.HostIPC:
			return "hostIPC"
		}
	}
	return reasonFields[r.ForbiddenReason]
}

// numericUID asks for what "restricted" leaves open: a runAsUser on the
// pod or on every container. The kubelet refuses to start a
// runAsNonRoot container whose image names its user rather than a UID,
// so a pod without runAsUser passes admission and may still not run.
// (runAsUser: 0 is the library's finding.)
func numericUID(p corev1.PodSpec) []Problem {
	var bad []Problem
	podUID := p.SecurityContext != nil && p.SecurityContext.RunAsUser != nil
	eachContainer(p, func(field string, c corev1.Container) {
		if !podUID && (c.SecurityContext == nil || c.SecurityContext.RunAsUser == nil) {
			bad = append(bad, Problem{Field: field + ".securityContext.runAsUser",
				Message: "runAsUser not set: set a UID > 0 on the pod or container securityContext (the kubelet cannot check runAsNonRoot against a user name)"})
		}
	})
	return bad
}

// join is a field path of the non-empty parts.
func join(parts ...string) string {
	return strings.Join(slices.DeleteFunc(parts, func(s string) bool { return s == "" }), ".")
}
