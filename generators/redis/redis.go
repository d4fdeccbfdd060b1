// Package redis is the generator redis: its description in the registry
// (generators/registry.go; novagen generators prints it) says what it
// emits, and this is the detail:
//
//   - ConfigMap redis-config with redis.conf (Config): cluster mode,
//     nodes.conf on the data volume, AOF every second, maxmemory 75 % of
//     the pod's memory limit with the catalog's eviction policy, hostnames
//     as the endpoints clients are sent to. No password;
//   - StatefulSet redis (one pod per node, all started at once), its
//     headless Service redis-headless (resolving pods before they are
//     ready, which a forming cluster needs) and the Service redis clients
//     dial, through the shared server skeleton (kube.ServerObjects). The
//     pods run the redis image as its own user (999) under the restricted
//     profile, start with scripts.RedisStart, get the password from Secret
//     redis-auth (generator secrets) as environment variables, and spread
//     over nodes (pod anti-affinity on kubernetes.io/hostname, preferred or
//     required as the catalog says) and zones (preferred:
//     kube.SpreadServers);
//   - PodDisruptionBudget redis: one pod at a time may be evicted;
//   - Job redis-cluster-init-<hash>, in Redis' sync wave, running
//     scripts.RedisClusterInit: it forms the cluster once and changes
//     nothing afterwards;
//   - NetworkPolicies redis-cluster-init (the Job's pods reach the redis
//     pods' client port and DNS, nothing else) and redis-from-cluster-init
//     (the redis pods accept them), next to the policy generator
//     network-policies already writes for the redis pods (clients, and
//     every port among the pods themselves: the cluster bus).
//
// README.md beside this file describes the scripts, how a node keeps its
// identity across restarts, and how a catalog sizes the cluster.
package redis

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "redis"

// Component is the catalog's name of Redis: the StatefulSet, the client
// Service, the PodDisruptionBudget and the pods' name prefix.
const Component = "redis"

// Names, identities and limits of what this package emits.
const (
	// UID is the redis user of the official image (debian and alpine).
	UID = 999
	// ComponentInit is the app.kubernetes.io/component of the init Job
	// and its pods (kube.JobPodSelector).
	ComponentInit = "redis-init"
	// PolicyFromInit lets the init Job's pods reach the redis pods.
	PolicyFromInit = naming.RedisFromInitPolicy
	// AnnotationConfig is the SHA-256 of redis.conf on the pod template:
	// a changed configuration rolls the pods, one at a time.
	AnnotationConfig = "novagen.nova.dev/redis-config-sha256"
	// BusPortOffset is where Redis puts the cluster bus: port + 10000.
	BusPortOffset = 10000
	// MinInitWait is the least the init Job waits for every node: new
	// volumes may take minutes to bind.
	MinInitWait = 5 * time.Minute
	// TerminationGraceSeconds leaves room to flush the AOF on SIGTERM.
	TerminationGraceSeconds = 60

	dataVolume   = "data"
	configVolume = "config"
)

// Generate returns the ConfigMap, StatefulSet, Services,
// PodDisruptionBudget, init Job and NetworkPolicies; nothing for a
// catalog without Redis or with one provided from outside.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	r := cat.Spec.Infrastructure.Redis
	if r == nil || !r.IsManaged() || !cat.OwnsShared() { // shared: the infrastructure partition's
		return nil, nil
	}
	ep, ok := cat.Endpoint(Component)
	if !ok {
		return nil, fmt.Errorf("catalog has redis but no endpoint %q", Component)
	}
	cm := &corev1.ConfigMap{
		TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
		ObjectMeta: kube.Meta(cat, Name, naming.RedisConfig, kube.ComponentServer),
		Data:       map[string]string{ConfigKey: ConfigOf(r).String()},
	}
	out := []kube.Object{cm}
	out = append(out, kube.ServerObjects(cat, Name, server(cat, r, ep, kube.ContentHash(cm.Data)))...)
	out = append(out, kube.PodDisruptionBudget(cat, Name, Component, kube.ComponentServer, ep.PodLabels))
	job, err := initJob(cat, r)
	if err != nil {
		return nil, err
	}
	return append(out, job, kube.JobEgressPolicy(cat, Name, naming.RedisInitPolicy, ComponentInit, ep), kube.JobIngressPolicy(cat, Name, PolicyFromInit, ComponentInit, ep)), nil
}

// HeadlessFQDN is the domain of the pods' stable names:
// <pod>.redis-headless.<namespace>.svc.cluster.local.
func HeadlessFQDN(cat *catalog.Catalog) string {
	return naming.RedisHeadless + "." + cat.Spec.Namespace + ".svc.cluster.local"
}

// Nodes is every pod's stable address, host:port, in ordinal order.
func Nodes(cat *catalog.Catalog, r *catalog.Redis) []string {
	out := make([]string, r.Nodes)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d.%s:%d", Component, i, HeadlessFQDN(cat), r.Port)
	}
	return out
}

// server is the StatefulSet's description for kube.ServerObjects.
func server(cat *catalog.Catalog, r *catalog.Redis, ep catalog.Endpoint, configHash string) kube.Server {
	port := strconv.Itoa(int(r.Port))
	ping := []string{"redis-cli", "-p", port, "ping"}
	// -e: an error reply (LOADING while the AOF replays, NOAUTH) is not
	// ready. Liveness only asks that the server answers at all.
	checked := []string{"redis-cli", "-e", "-p", port, "ping"}
	c := corev1.Container{
		Name:    Component,
		Image:   cat.Spec.Images.Redis,
		Command: []string{"/bin/sh", "-c", scripts.RedisStart},
		Ports: []corev1.ContainerPort{
			{Name: naming.PortRedis, ContainerPort: r.Port, Protocol: corev1.ProtocolTCP},
			{Name: naming.PortRedisBus, ContainerPort: r.Port + BusPortOffset, Protocol: corev1.ProtocolTCP},
		},
		Env: []corev1.EnvVar{
			kube.SecretEnv(naming.EnvRedisPassword, naming.RedisSecret, naming.KeyPassword),
			kube.SecretEnv(scripts.EnvRedisCLIAuth, naming.RedisSecret, naming.KeyPassword),
			kube.FieldEnv(scripts.EnvPodName, "metadata.name"),
			kube.FieldEnv(scripts.EnvPodIP, "status.podIP"),
			{Name: scripts.EnvRedisHeadless, Value: HeadlessFQDN(cat)},
			{Name: scripts.EnvRedisConfigFile, Value: ConfigFile},
			{Name: scripts.EnvRedisClusterFile, Value: ClusterFile},
		},
		VolumeMounts: []corev1.VolumeMount{
			{Name: configVolume, MountPath: ConfigDir, ReadOnly: true},
			{Name: dataVolume, MountPath: DataDir},
		},
		Resources: kube.Resources(catalog.Resources{
			Requests: map[string]string{"cpu": "100m", "memory": r.Memory},
			Limits:   map[string]string{"cpu": "1", "memory": r.Memory},
		}),
		// Replaying a large AOF takes a while: up to 5 minutes.
		StartupProbe:   kube.ExecProbe(checked, 5, 3, 60),
		ReadinessProbe: kube.ExecProbe(checked, 5, 3, 3),
		LivenessProbe:  kube.ExecProbe(ping, 10, 3, 6),
	}
	pod := corev1.PodSpec{
		Containers: []corev1.Container{c},
		Volumes: []corev1.Volume{{
			Name: configVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: naming.RedisConfig},
			}},
		}},
		TerminationGracePeriodSeconds: kube.Ptr(int64(TerminationGraceSeconds)),
	}
	kube.SpreadServers(&pod, r.AntiAffinity == catalog.AntiAffinityRequired, ep.PodLabels)
	return kube.Server{
		Name:      ep.Name,
		Headless:  naming.RedisHeadless,
		PodLabels: ep.PodLabels,
		Replicas:  int32(r.Nodes),
		UID:       UID,
		Ports: []corev1.ServicePort{
			kube.ServicePort(naming.PortRedis, r.Port),
			kube.ServicePort(naming.PortRedisBus, r.Port+BusPortOffset),
		},
		Pod:             pod,
		Volume:          dataVolume,
		Storage:         r.Storage,
		StorageClass:    r.StorageClassName,
		PublishNotReady: true,
		Parallel:        true,
		PodAnnotations:  map[string]string{AnnotationConfig: configHash},
	}
}

// initJob forms the cluster (scripts.RedisClusterInit) with redis-cli from
// the redis image, as the catalog's UID: redis-cli reads and writes no
// file.
func initJob(cat *catalog.Catalog, r *catalog.Redis) (kube.Object, error) {
	retries, interval := kube.StretchedWait(cat.Spec.Defaults.Wait, MinInitWait)
	c := corev1.Container{
		Name:    "cluster-init",
		Image:   cat.Spec.Images.Redis,
		Command: []string{"/bin/sh", "-c", scripts.RedisClusterInit},
		Env: []corev1.EnvVar{
			{Name: scripts.EnvRedisNodes, Value: strings.Join(Nodes(cat, r), " ")},
			{Name: scripts.EnvRedisReplicas, Value: strconv.Itoa(r.ReplicasPerMaster)},
			{Name: scripts.EnvRetries, Value: strconv.Itoa(retries)},
			{Name: scripts.EnvInterval, Value: strconv.Itoa(interval)},
			kube.SecretEnv(scripts.EnvRedisCLIAuth, naming.RedisSecret, naming.KeyPassword),
		},
		Resources: kube.HelperResources(),
	}
	return kube.Job(cat, Name, naming.RedisInitJob, ComponentInit, corev1.PodSpec{Containers: []corev1.Container{c}}, kube.JobOptions{})
}
