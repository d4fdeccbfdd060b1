package kube

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/novagen/novagen/catalog"
)

// TmpVolume is the writable /tmp every generated container gets, since
// root filesystems are read-only.
const TmpVolume = "tmp"

// podSecurityContext is the Pod Security Standards "restricted" profile
// at pod level, with a numeric non-root UID (and GID, fsGroup).
func podSecurityContext(uid int64) *corev1.PodSecurityContext {
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   Ptr(true),
		RunAsUser:      Ptr(uid),
		RunAsGroup:     Ptr(uid),
		FSGroup:        Ptr(uid),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// containerSecurityContext is the "restricted" profile for one container:
// no privilege escalation, every capability dropped, read-only root.
func containerSecurityContext(uid int64) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: Ptr(false),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
		Privileged:               Ptr(false),
		ReadOnlyRootFilesystem:   Ptr(true),
		RunAsNonRoot:             Ptr(true),
		RunAsUser:                Ptr(uid),
		RunAsGroup:               Ptr(uid),
		SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
}

// Resources converts catalog resources to a ResourceRequirements. The
// catalog loader has already parsed every quantity.
func Resources(r catalog.Resources) corev1.ResourceRequirements {
	conv := func(m map[string]string) corev1.ResourceList {
		if len(m) == 0 {
			return nil
		}
		out := corev1.ResourceList{}
		for k, v := range m {
			out[corev1.ResourceName(k)] = resource.MustParse(v)
		}
		return out
	}
	return corev1.ResourceRequirements{Requests: conv(r.Requests), Limits: conv(r.Limits)}
}

// HelperResources are the small, fixed resources of helper containers
// (wait-for init containers, script runners).
func HelperResources() corev1.ResourceRequirements {
	return Resources(catalog.Resources{
		Requests: map[string]string{"cpu": "10m", "memory": "16Mi"},
		Limits:   map[string]string{"cpu": "100m", "memory": "64Mi"},
	})
}

// Harden applies the restricted profile to a pod spec and all of its
// containers, adds the /tmp emptyDir and switches off what a pod of ours
// never needs. Every generator's pods go through it.
func Harden(cat *catalog.Catalog, spec *corev1.PodSpec) {
	HardenAs(spec, cat.Spec.Defaults.RunAsUser)
}

// HardenAs is Harden with the UID (and GID, fsGroup) an image needs: the
// postgres image's data must belong to its postgres user (70), redis's to
// its redis user (999).
func HardenAs(spec *corev1.PodSpec, uid int64) {
	spec.SecurityContext = podSecurityContext(uid)
	spec.AutomountServiceAccountToken = Ptr(false)
	spec.EnableServiceLinks = Ptr(false)
	if !slices.ContainsFunc(spec.Volumes, func(v corev1.Volume) bool { return v.Name == TmpVolume }) {
		spec.Volumes = append(spec.Volumes, corev1.Volume{
			Name:         TmpVolume,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
		})
	}
	for _, cs := range [][]corev1.Container{spec.InitContainers, spec.Containers} {
		for i := range cs {
			hardenContainer(&cs[i], uid)
		}
	}
}

// HardenContainer gives one container the restricted security context and
// a writable /tmp.
func HardenContainer(cat *catalog.Catalog, c *corev1.Container) {
	hardenContainer(c, cat.Spec.Defaults.RunAsUser)
}

func hardenContainer(c *corev1.Container, uid int64) {
	c.SecurityContext = containerSecurityContext(uid)
	if !slices.ContainsFunc(c.VolumeMounts, func(m corev1.VolumeMount) bool { return m.MountPath == "/tmp" }) {
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: TmpVolume, MountPath: "/tmp"})
	}
}

// Ptr returns a pointer to v, for the many optional fields of k8s.io/api.
func Ptr[T any](v T) *T { return &v }

// JVMHeap is KAFKA_HEAP_OPTS for a JVM server (ZooKeeper, Kafka): a fixed
// heap of half the container's memory limit, in MiB, leaving the rest for
// the page cache, metaspace, threads and direct buffers. The loader has
// checked that the limit is set and large enough.
func JVMHeap(r catalog.Resources) string {
	limit := resource.MustParse(r.Limits["memory"])
	mib := limit.Value() / 2 / (1 << 20)
	return fmt.Sprintf("-Xms%dm -Xmx%dm", mib, mib)
}

// EmptyDirMount is a writable directory at path that lives as long as the
// pod: its volume and the mount, named name. Images that write their
// configuration at start need one under a read-only root.
func EmptyDirMount(name, path string) (corev1.Volume, corev1.VolumeMount) {
	return EmptyDir(name), corev1.VolumeMount{Name: name, MountPath: path}
}
