package check

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// allProblems is every finding of the three pod checks, one a line.
func allProblems(p corev1.PodSpec) string {
	var out []string
	for _, f := range []func(corev1.PodSpec) []Problem{Restricted, Resources, Images} {
		for _, pr := range f(p) {
			out = append(out, pr.String())
		}
	}
	return strings.Join(out, "\n")
}

// TestPodChecksCatchViolations proves the pod checks can fail: each case
// breaks one rule of a pod that passes, and the finding names the field.
func TestPodChecksCatchViolations(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.PodSpec)
		want   string
	}{
		{"good pod", func(*corev1.PodSpec) {}, ""},
		{"uid and seccomp from the pod", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.RunAsUser, p.Containers[0].SecurityContext.SeccompProfile = nil, nil
		}, ""},
		{"host network", func(p *corev1.PodSpec) { p.HostNetwork = true }, "hostNetwork: hostNetwork/hostPID/hostIPC must be false"},
		{"hostPath volume", func(p *corev1.PodSpec) {
			p.Volumes = append(p.Volumes, corev1.Volume{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
		}, "volumes[h]: type hostPath is not allowed"},
		{"privileged", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.Privileged = ptr(true) }, "containers[app].securityContext.privileged: privileged"},
		{"escalation allowed", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil }, "allowPrivilegeEscalation"},
		{"root allowed", func(p *corev1.PodSpec) {
			p.SecurityContext.RunAsNonRoot = nil
			p.Containers[0].SecurityContext.RunAsNonRoot = ptr(false)
		}, "runAsNonRoot"},
		{"uid 0", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.RunAsUser = ptr(int64(0)) }, "runAsUser"},
		{"no uid anywhere", func(p *corev1.PodSpec) {
			p.SecurityContext.RunAsUser, p.Containers[0].SecurityContext.RunAsUser = nil, nil
		}, "runAsUser"},
		{"capabilities kept", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.Capabilities = nil }, "drop ALL"},
		{"capability added", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"NET_ADMIN"}
		}, "only NET_BIND_SERVICE"},
		{"unconfined", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		}, "seccompProfile"},
		{"no seccomp anywhere", func(p *corev1.PodSpec) {
			p.SecurityContext.SeccompProfile, p.Containers[0].SecurityContext.SeccompProfile = nil, nil
		}, "seccompProfile"},
		{"host port", func(p *corev1.PodSpec) {
			p.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		}, "hostPort"},
		{"no memory limit", func(p *corev1.PodSpec) { delete(p.Containers[0].Resources.Limits, corev1.ResourceMemory) }, "containers[app].resources: needs limits.memory"},
		{"no cpu request", func(p *corev1.PodSpec) { delete(p.Containers[0].Resources.Requests, corev1.ResourceCPU) }, "requests.cpu"},
		{"latest", func(p *corev1.PodSpec) { p.Containers[0].Image = "busybox:latest" }, `containers[app].image: "busybox:latest": tag latest is not pinned`},
		{"digest", func(p *corev1.PodSpec) { p.Containers[0].Image = "busybox@sha256:" + strings.Repeat("a", 64) }, ""},
		{"no image", func(p *corev1.PodSpec) { p.Containers[0].Image = "" }, "no image"},
		{"untagged behind a registry port", func(p *corev1.PodSpec) { p.Containers[0].Image = "registry:5000/busybox" }, "no tag"},
		{"bad init container", func(p *corev1.PodSpec) {
			c := p.Containers[0]
			c.Name, c.SecurityContext = "init", nil
			p.InitContainers = []corev1.Container{c}
		}, "initContainers[init].securityContext.allowPrivilegeEscalation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := goodPod()
			tc.mutate(&p)
			got := allProblems(p)
			if tc.want == "" && got != "" {
				t.Fatalf("good pod rejected: %s", got)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("want a finding containing %q, got %q", tc.want, got)
			}
		})
	}
}

// goodPod is hardened the way generators harden theirs.
func goodPod() corev1.PodSpec {
	cat := &schema.Catalog{Spec: schema.Spec{Defaults: schema.Defaults{RunAsUser: 10001}}}
	p := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1.0.0", Resources: kube.HelperResources()}}}
	kube.Harden(cat, &p)
	return p
}

func ptr[T any](v T) *T { return &v }
