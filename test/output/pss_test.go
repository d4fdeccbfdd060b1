package output

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/schema"
)

// restrictedVolumes are the volume types Pod Security "restricted"
// allows; hostPath and every in-tree network volume are not among them.
var restrictedVolumes = []string{"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

// checkPod returns every way p falls short of Pod Security "restricted"
// (https://kubernetes.io/docs/concepts/security/pod-security-standards/)
// and of novagen's own rules: requests and limits, pinned images.
func checkPod(p corev1.PodSpec) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	if p.HostNetwork || p.HostPID || p.HostIPC {
		fail("hostNetwork/hostPID/hostIPC must be false")
	}
	for _, v := range p.Volumes {
		if t := volumeType(v); !slices.Contains(restrictedVolumes, t) {
			fail("volume %s: type %s is not allowed", v.Name, t)
		}
	}
	psc := p.SecurityContext
	if psc == nil {
		psc = &corev1.PodSecurityContext{}
	}
	all := append(append([]corev1.Container{}, p.InitContainers...), p.Containers...)
	for _, c := range all {
		for _, msg := range checkContainer(c, psc) {
			fail("container %s: %s", c.Name, msg)
		}
	}
	return bad
}

func checkContainer(c corev1.Container, psc *corev1.PodSecurityContext) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	sc := c.SecurityContext
	if sc == nil {
		sc = &corev1.SecurityContext{}
	}
	if sc.Privileged != nil && *sc.Privileged {
		fail("privileged")
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		fail("allowPrivilegeEscalation must be false")
	}
	if nonRoot := or(sc.RunAsNonRoot, psc.RunAsNonRoot); nonRoot == nil || !*nonRoot {
		fail("runAsNonRoot must be true")
	}
	if uid := or(sc.RunAsUser, psc.RunAsUser); uid == nil || *uid <= 0 {
		fail("runAsUser must be a UID > 0")
	}
	if sc.Capabilities == nil || !slices.Contains(sc.Capabilities.Drop, "ALL") {
		fail("capabilities must drop ALL")
	} else if slices.ContainsFunc(sc.Capabilities.Add, func(c corev1.Capability) bool { return c != "NET_BIND_SERVICE" }) {
		fail("capabilities may add only NET_BIND_SERVICE, not %v", sc.Capabilities.Add)
	}
	if prof := or(sc.SeccompProfile, psc.SeccompProfile); prof == nil ||
		(prof.Type != corev1.SeccompProfileTypeRuntimeDefault && prof.Type != corev1.SeccompProfileTypeLocalhost) {
		fail("seccompProfile must be RuntimeDefault or Localhost")
	}
	for _, p := range c.Ports {
		if p.HostPort != 0 {
			fail("hostPort %d", p.HostPort)
		}
	}
	r := c.Resources
	if r.Requests.Cpu().IsZero() || r.Requests.Memory().IsZero() || r.Limits.Memory().IsZero() {
		fail("needs requests.cpu, requests.memory and limits.memory")
	}
	if err := pinned(c.Image); err != "" {
		fail("image %q: %s", c.Image, err)
	}
	return bad
}

// pinned wants a tag other than latest, or a digest.
func pinned(image string) string {
	if strings.Contains(image, "@sha256:") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:] // a registry port is no tag
	i := strings.LastIndex(last, ":")
	switch {
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

// TestPodsAreRestricted checks every pod template novagen renders.
func TestPodsAreRestricted(t *testing.T) {
	operatorRun := 0
	for _, p := range renderedPods(t) {
		for _, msg := range checkPod(p.spec) {
			t.Errorf("%s: %s", p.where, msg)
		}
		if strings.Contains(p.where, "ClickHouseInstallation/") {
			operatorRun++
		}
	}
	if operatorRun == 0 {
		t.Error("no ClickHouseInstallation pod template was checked")
	}
}

// TestCheckPodCatchesViolations proves the check can fail: each case
// breaks one rule of a pod that passes.
func TestCheckPodCatchesViolations(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.PodSpec)
		want   string
	}{
		{"good pod", func(*corev1.PodSpec) {}, ""},
		{"uid and seccomp from the pod", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.RunAsUser, p.Containers[0].SecurityContext.SeccompProfile = nil, nil
		}, ""},
		{"host network", func(p *corev1.PodSpec) { p.HostNetwork = true }, "hostNetwork"},
		{"hostPath volume", func(p *corev1.PodSpec) {
			p.Volumes = append(p.Volumes, corev1.Volume{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
		}, "type hostPath is not allowed"},
		{"privileged", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.Privileged = ptr(true) }, "privileged"},
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
		{"no memory limit", func(p *corev1.PodSpec) { delete(p.Containers[0].Resources.Limits, corev1.ResourceMemory) }, "limits.memory"},
		{"no cpu request", func(p *corev1.PodSpec) { delete(p.Containers[0].Resources.Requests, corev1.ResourceCPU) }, "requests.cpu"},
		{"latest", func(p *corev1.PodSpec) { p.Containers[0].Image = "busybox:latest" }, "latest"},
		{"untagged behind a registry port", func(p *corev1.PodSpec) { p.Containers[0].Image = "registry:5000/busybox" }, "no tag"},
		{"bad init container", func(p *corev1.PodSpec) {
			c := p.Containers[0]
			c.Name, c.SecurityContext = "init", nil
			p.InitContainers = []corev1.Container{c}
		}, "container init: allowPrivilegeEscalation"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := goodPod()
			tc.mutate(&p)
			got := strings.Join(checkPod(p), "\n")
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
