// Package apicontracts is the generator api-contracts: its description in
// the registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail:
//
//   - ConfigMap <catalog>-proto-definitions-v<major>: the proto files, one
//     key per file ('/' in the path is "__" in the key, naming.ProtoKey),
//     and buf.yaml when the catalog names one;
//   - ConfigMap <catalog>-proto-definitions-previous: the previous
//     release's files, when the catalog names one;
//   - ConfigMap <catalog>-proto-versions: the version, the SHA-256 of every
//     file (SHA256SUMS, for sha256sum -c) and generate.sh, which generates
//     code with protoc or buf;
//   - ConfigMap <catalog>-service-registry: every catalog service (address,
//     database, ports, dependencies, health endpoint, topics) as YAML and
//     JSON, from one struct built from the catalog (catalog.ServiceRegistry);
//   - ConfigMap <catalog>-proto-docs: usage guidelines, the proto services
//     with their RPCs, and messages in Markdown; not the catalog's services
//     (the registry lists them), so adding one leaves the docs alone;
//   - Job proto-validate-<hash>, run once per change of the files (their
//     hash is in its name): busybox copies the trees out of the ConfigMap
//     volumes (whose items restore the paths) into an emptyDir, then buf
//     lints the current tree and, with a previous release, checks it for
//     breaking changes against it.
//
// The loader has read, compiled and size-checked everything
// (catalog.Catalog.ContractConfigMaps); this package only wraps it in
// objects. The Job needs no network: the namespace's default-deny policy
// covers its pods and nothing allows them any traffic.
package apicontracts

import (
	"maps"
	"path"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/contracts/registry"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "api-contracts"

// Component is the app.kubernetes.io/component of every object.
const Component = "api-contracts"

// Where the Job finds things.
const (
	MountCurrent  = "/contracts/definitions" // the definitions ConfigMap
	MountPrevious = "/contracts/previous"    // the previous release's
	WorkCurrent   = "/work/current"          // the copies buf reads
	WorkPrevious  = "/work/previous"
	CacheDir      = "/buf-cache" // BUF_CACHE_DIR
	// AnnotationDefinitions is the SHA-256 of the trees on the Job's pod
	// template: changed files make a new Job (name) that validates them.
	AnnotationDefinitions = "novagen.nova.dev/proto-definitions-sha256"
	// DeadlineSeconds bounds a run: lint of a few hundred files takes
	// seconds.
	DeadlineSeconds = 600

	volumeCurrent      = "definitions"
	volumePrevious     = "previous"
	volumeWorkCurrent  = "work-current"
	volumeWorkPrevious = "work-previous"
	volumeCache        = "buf-cache"
)

// Generate returns the contract ConfigMaps and the validation Job;
// nothing for a catalog without spec.contracts.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	c := cat.Spec.Contracts
	cms := cat.ContractConfigMaps()
	if c == nil || len(cms) == 0 || !cat.OwnsShared() { // shared: the infrastructure partition's
		return nil, nil
	}
	var out []kube.Object
	trees := map[string]registry.ConfigMap{}
	for _, cm := range cms {
		out = append(out, &corev1.ConfigMap{
			TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
			ObjectMeta: kube.Meta(cat, Name, cm.Name, Component),
			Data:       cm.Data,
		})
		if cm.Paths != nil {
			trees[cm.Name] = cm
		}
	}
	current := trees[naming.ProtoDefinitions(cat.Metadata.Name, registry.Major(c.Version))]
	previous, hasPrevious := trees[naming.ProtoDefinitionsPrevious(cat.Metadata.Name)]
	job, err := validateJob(cat, current, previous, hasPrevious)
	if err != nil {
		return nil, err
	}
	return append(out, job), nil
}

// validateJob is the buf Job. The ConfigMap volumes are not plain trees
// (kubelet adds ..data and timestamped directories, and the files are
// symlinks), so a busybox init container first copies the restored
// paths, symlinks followed, into an emptyDir.
func validateJob(cat *catalog.Catalog, current, previous registry.ConfigMap, hasPrevious bool) (kube.Object, error) {
	pod := corev1.PodSpec{
		InitContainers: []corev1.Container{copyContainer(cat, "copy-definitions", volumeCurrent, MountCurrent, current, volumeWorkCurrent, WorkCurrent)},
		Volumes:        []corev1.Volume{treeVolume(volumeCurrent, current), kube.EmptyDir(volumeWorkCurrent), kube.EmptyDir(volumeCache)},
	}
	hash := map[string]string{"current": kube.ContentHash(current.Data)}
	work := []corev1.VolumeMount{{Name: volumeWorkCurrent, MountPath: WorkCurrent, ReadOnly: true}}
	lint := bufContainer(cat, "lint", work, "lint", WorkCurrent)
	if !hasPrevious {
		pod.Containers = []corev1.Container{lint}
	} else {
		pod.InitContainers = append(pod.InitContainers, copyContainer(cat, "copy-previous", volumePrevious, MountPrevious, previous, volumeWorkPrevious, WorkPrevious), lint)
		work = append(work, corev1.VolumeMount{Name: volumeWorkPrevious, MountPath: WorkPrevious, ReadOnly: true})
		pod.Containers = []corev1.Container{bufContainer(cat, "breaking", work, "breaking", WorkCurrent, "--against", WorkPrevious)}
		pod.Volumes = append(pod.Volumes, treeVolume(volumePrevious, previous), kube.EmptyDir(volumeWorkPrevious))
		hash["previous"] = kube.ContentHash(previous.Data)
	}
	return kube.Job(cat, Name, naming.ProtoValidateJob, Component, pod, kube.JobOptions{
		ActiveDeadlineSeconds: DeadlineSeconds,
		PodAnnotations:        map[string]string{AnnotationDefinitions: kube.ContentHash(hash)},
	})
}

// treeVolume mounts a tree ConfigMap with items restoring every path.
func treeVolume(name string, cm registry.ConfigMap) corev1.Volume {
	var items []corev1.KeyToPath
	for _, key := range slices.Sorted(maps.Keys(cm.Paths)) {
		items = append(items, corev1.KeyToPath{Key: key, Path: cm.Paths[key]})
	}
	return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: cm.Name},
		Items:                items,
	}}}
}

// copyContainer copies the top-level entries the items restore (never
// kubelet's ..data) from mount to dest, following symlinks. Exec form:
// busybox needs no shell for it.
func copyContainer(cat *catalog.Catalog, name, volume, mount string, cm registry.ConfigMap, destVolume, dest string) corev1.Container {
	tops := map[string]bool{}
	for _, p := range cm.Paths {
		top, _, _ := strings.Cut(p, "/")
		tops[top] = true
	}
	cmd := []string{"cp", "-RL"}
	for _, top := range slices.Sorted(maps.Keys(tops)) {
		cmd = append(cmd, path.Join(mount, top))
	}
	return corev1.Container{
		Name:    name,
		Image:   cat.Spec.Images.Busybox,
		Command: append(cmd, dest+"/"),
		VolumeMounts: []corev1.VolumeMount{
			{Name: volume, MountPath: mount, ReadOnly: true},
			{Name: destVolume, MountPath: dest},
		},
		Resources: kube.HelperResources(),
	}
}

// bufContainer runs buf (the image's entrypoint) with args.
func bufContainer(cat *catalog.Catalog, name string, trees []corev1.VolumeMount, args ...string) corev1.Container {
	return corev1.Container{
		Name:  name,
		Image: cat.Spec.Images.Buf,
		Args:  args,
		Env: []corev1.EnvVar{
			{Name: "BUF_CACHE_DIR", Value: CacheDir},
			{Name: "HOME", Value: "/tmp"},
		},
		VolumeMounts: append(slices.Clone(trees), corev1.VolumeMount{Name: volumeCache, MountPath: CacheDir}),
		Resources: kube.Resources(catalog.Resources{
			Requests: map[string]string{"cpu": "100m", "memory": "128Mi"},
			Limits:   map[string]string{"cpu": "1", "memory": "512Mi"},
		}),
	}
}
