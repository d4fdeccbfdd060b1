package check

import (
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/kustomize/kyaml/yaml"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
)

// allProblems is every finding of the three pod checks, one a line.
func allProblems(p Pod) string {
	var out []string
	for _, f := range []func(Pod) []Problem{Restricted, Resources, Images} {
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
		{"host network", func(p *corev1.PodSpec) { p.HostNetwork = true }, "hostNetwork: host namespaces: hostNetwork=true"},
		{"hostPath volume", func(p *corev1.PodSpec) {
			p.Volumes = append(p.Volumes, corev1.Volume{Name: "h", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}})
		}, `volumes[h]: restricted volume types: volume "h" uses restricted volume type "hostPath"`},
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
		{"capabilities kept", func(p *corev1.PodSpec) { p.Containers[0].SecurityContext.Capabilities = nil }, `containers[app].securityContext.capabilities: unrestricted capabilities: container "app" must set securityContext.capabilities.drop=["ALL"] (restricted: drop ALL, add only NET_BIND_SERVICE)`},
		{"capability added", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"NET_ADMIN"}
		}, `must not include "NET_ADMIN" in securityContext.capabilities.add (restricted: drop ALL, add only NET_BIND_SERVICE)`},
		{"unconfined", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
		}, "seccompProfile"},
		{"no seccomp anywhere", func(p *corev1.PodSpec) {
			p.SecurityContext.SeccompProfile, p.Containers[0].SecurityContext.SeccompProfile = nil, nil
		}, "seccompProfile"},
		{"host port", func(p *corev1.PodSpec) {
			p.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		}, "hostPort"},
		// Pod Security checks the hand-written predecessor of Restricted missed.
		{"host PID", func(p *corev1.PodSpec) { p.HostPID = true }, "hostPID: host namespaces: hostPID=true"},
		{"nfs volume", func(p *corev1.PodSpec) {
			p.Volumes = append(p.Volumes, corev1.Volume{Name: "n", VolumeSource: corev1.VolumeSource{NFS: &corev1.NFSVolumeSource{Server: "nfs", Path: "/"}}})
		}, `volumes[n]: restricted volume types: volume "n" uses restricted volume type "nfs"`},
		{"pod unconfined", func(p *corev1.PodSpec) {
			p.SecurityContext.SeccompProfile = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeUnconfined}
			p.Containers[0].SecurityContext.SeccompProfile = nil
		}, `securityContext.seccompProfile: seccompProfile: pod must not set securityContext.seccompProfile.type to "Unconfined"`},
		{"unsafe sysctl", func(p *corev1.PodSpec) {
			p.SecurityContext.Sysctls = []corev1.Sysctl{{Name: "kernel.msgmax", Value: "65536"}}
		}, "securityContext.sysctls: forbidden sysctls: kernel.msgmax"},
		{"AppArmor unconfined", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.AppArmorProfile = &corev1.AppArmorProfile{Type: corev1.AppArmorProfileTypeUnconfined}
		}, `containers[app].securityContext.appArmorProfile: forbidden AppArmor profile: container "app" must not set AppArmor profile type to "Unconfined"`},
		{"unmasked /proc", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.ProcMount = ptr(corev1.UnmaskedProcMount)
		}, `containers[app].securityContext.procMount: procMount: container "app" must not set securityContext.procMount to "Unmasked"`},
		{"SELinux type", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.SELinuxOptions = &corev1.SELinuxOptions{Type: "spc_t"}
		}, `containers[app].securityContext.seLinuxOptions: seLinuxOptions: container "app" set forbidden securityContext.seLinuxOptions: type "spc_t"`},
		{"Windows host process", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.WindowsOptions = &corev1.WindowsSecurityContextOptions{HostProcess: ptr(true)}
		}, "containers[app].securityContext.windowsOptions.hostProcess: hostProcess"},
		{"probe on another host", func(p *corev1.PodSpec) {
			p.Containers[0].LivenessProbe = &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Host: "10.0.0.1"}}}
		}, `containers[app]: probe or lifecycle host: container "app" uses probe or lifecycle host "10.0.0.1"`},
		{"SYS_ADMIN added", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"SYS_ADMIN"}
		}, `container "app" must not include "SYS_ADMIN" in securityContext.capabilities.add`},
		{"NET_BIND_SERVICE added", func(p *corev1.PodSpec) {
			p.Containers[0].SecurityContext.Capabilities.Add = []corev1.Capability{"NET_BIND_SERVICE"}
		}, ""},
		{"uid 0 on the pod", func(p *corev1.PodSpec) {
			p.SecurityContext.RunAsUser, p.Containers[0].SecurityContext.RunAsUser = ptr(int64(0)), nil
		}, "securityContext.runAsUser: runAsUser=0: pod must not set runAsUser=0"},
		{"bad ephemeral container", func(p *corev1.PodSpec) {
			p.EphemeralContainers = []corev1.EphemeralContainer{{EphemeralContainerCommon: corev1.EphemeralContainerCommon{Name: "debug", Image: "busybox:1.37"}}}
		}, `ephemeralContainers[debug].securityContext.allowPrivilegeEscalation: allowPrivilegeEscalation != false: container "debug" must set securityContext.allowPrivilegeEscalation=false`},
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
			got := allProblems(Pod{Spec: p})
			if tc.want == "" && got != "" {
				t.Fatalf("good pod rejected: %s", got)
			}
			if !strings.Contains(got, tc.want) {
				t.Fatalf("want a finding containing %q, got %q", tc.want, got)
			}
		})
	}
}

// TestRestrictedPlacesEachFinding: a pod-level value is reported once at
// the pod's field, not again for every container inheriting it; two
// containers at fault are two findings, each at its container.
func TestRestrictedPlacesEachFinding(t *testing.T) {
	p := goodPod()
	second := *p.Containers[0].DeepCopy()
	second.Name = "sidecar"
	p.Containers = append(p.Containers, second)
	p.SecurityContext.RunAsNonRoot = ptr(false)
	for i := range p.Containers {
		p.Containers[i].SecurityContext.RunAsNonRoot = nil
		p.Containers[i].SecurityContext.Privileged = ptr(true)
	}
	want := []string{
		"securityContext.runAsNonRoot: runAsNonRoot != true: pod must not set securityContext.runAsNonRoot=false",
		`containers[app].securityContext.privileged: privileged: container "app" must not set securityContext.privileged=true`,
		`containers[sidecar].securityContext.privileged: privileged: container "sidecar" must not set securityContext.privileged=true`,
	}
	if got := strings.Split(allProblems(Pod{Spec: p}), "\n"); !slices.Equal(got, want) {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestRestrictedReadsAnnotations: Pod Security reads the (deprecated)
// AppArmor annotations of the pod template's metadata, so Pods carries them.
func TestRestrictedReadsAnnotations(t *testing.T) {
	nodes, err := yaml.Parse(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    metadata:
      annotations: {container.apparmor.security.beta.kubernetes.io/app: unconfined}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}
      containers:
      - name: app
        image: app:1.0.0
        securityContext: {allowPrivilegeEscalation: false, capabilities: {drop: [ALL]}}
`)
	if err != nil {
		t.Fatal(err)
	}
	pods, err := Pods([]*yaml.RNode{nodes})
	if err != nil {
		t.Fatal(err)
	}
	got := Restricted(pods[0])
	if len(got) != 1 || !strings.Contains(got[0].Message, `annotation must not set AppArmor profile type to "container.apparmor.security.beta.kubernetes.io/app="unconfined""`) {
		t.Fatalf("want the AppArmor annotation rejected, got %v", got)
	}
}

// goodPod is hardened the way generators harden theirs.
func goodPod() corev1.PodSpec {
	cat := &catalog.Catalog{Spec: catalog.Spec{Defaults: catalog.Defaults{RunAsUser: 10001}}}
	p := corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1.0.0", Resources: kube.HelperResources()}}}
	kube.Harden(cat, &p)
	return p
}

func ptr[T any](v T) *T { return &v }
