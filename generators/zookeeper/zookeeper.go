// Package zookeeper is the generator zookeeper: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail:
//
//   - StatefulSet zookeeper: replicas servers (one in staging; an odd
//     number), all started at once, each with two volumes, data
//     (snapshots and myid) and datalog (the transaction log), mounted
//     exactly where the cp-zookeeper image keeps them;
//   - the headless Service zookeeper-headless (resolving pods before they
//     are ready, which an ensemble needs to form) and the Service
//     zookeeper Kafka dials; ports client (the catalog's), follower 2888,
//     election 3888 and admin 8080;
//   - for an ensemble, a PodDisruptionBudget, pod anti-affinity over
//     nodes and a preferred spread over zones (kube.SpreadServers).
//
// The pods run the pinned images.zookeeper (Confluent Platform 7.x
// cp-zookeeper) as its own user, appuser (UID 1000), under the
// restricted profile with a read-only root: the image's entrypoint
// templates zookeeper.properties and log4j into /etc/kafka at start and
// kafka-run-class writes GC logs to LOG_DIR, so both are emptyDirs. The
// image is configured through its ZOOKEEPER_* environment;
// scripts.ZookeeperStart only adds each ensemble member's id (its
// ordinal plus one). Readiness asks the admin server's ruok and wants no
// error in the answer (scripts.ZookeeperReady: the admin server says
// HTTP 200 even while the server does not serve); startup and liveness
// check the client port. The heap is half the memory limit.
//
// The network-policies generator already writes the policy of these pods
// (Kafka in on the client port, the ensemble among itself on every port).
package zookeeper

import (
	"fmt"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "zookeeper"

// Component is the catalog's name of ZooKeeper: the StatefulSet, the
// client Service and the pods' name prefix.
const Component = "zookeeper"

// The cp-zookeeper image's user and where it keeps things.
const (
	UID        = 1000 // appuser of the Confluent Platform images
	DataDir    = "/var/lib/zookeeper/data"
	LogDir     = "/var/lib/zookeeper/log"
	ConfigDir  = "/etc/kafka"     // the entrypoint writes zookeeper.properties here
	JVMLogDir  = "/var/log/kafka" // LOG_DIR: GC logs
	Entrypoint = "/etc/confluent/docker/run"
	// TickTime is ZooKeeper's time unit in milliseconds.
	TickTime = 2000

	dataVolume   = "data"
	txlogVolume  = "datalog"
	configVolume = "config"
	logsVolume   = "logs"
)

// Generate returns the StatefulSet, its Services and, for an ensemble, a
// PodDisruptionBudget; nothing for a catalog without ZooKeeper or with
// one provided from outside.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	z := cat.Spec.Infrastructure.Zookeeper
	if z == nil || !z.IsManaged() || !cat.OwnsShared() { // shared: the infrastructure partition's
		return nil, nil
	}
	ep, ok := cat.Endpoint(Component)
	if !ok {
		return nil, fmt.Errorf("catalog has zookeeper but no endpoint %q", Component)
	}
	out := kube.ServerObjects(cat, Name, server(cat, z, ep))
	if z.Replicas > 1 {
		out = append(out, kube.PodDisruptionBudget(cat, Name, Component, kube.ComponentServer, ep.PodLabels))
	}
	kube.BelongTo(Component, out)
	return out, nil
}

// Servers is ZOOKEEPER_SERVERS: every server's stable address with its
// follower and election ports, in ordinal order (server.1 is pod 0).
func Servers(cat *catalog.Catalog, z *catalog.Zookeeper) string {
	fqdn := naming.ZookeeperHeadless + "." + cat.Spec.Namespace + ".svc.cluster.local"
	out := make([]string, z.Replicas)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d.%s:%d:%d", Component, i, fqdn, catalog.ZookeeperFollowerPort, catalog.ZookeeperElectionPort)
	}
	return strings.Join(out, ";")
}

func server(cat *catalog.Catalog, z *catalog.Zookeeper, ep catalog.Endpoint) kube.Server {
	env := []corev1.EnvVar{
		{Name: "ZOOKEEPER_CLIENT_PORT", Value: strconv.Itoa(int(z.Port))},
		{Name: "ZOOKEEPER_TICK_TIME", Value: strconv.Itoa(TickTime)},
		{Name: "ZOOKEEPER_ADMIN_ENABLE_SERVER", Value: "true"},
		{Name: scripts.EnvZookeeperAdminPort, Value: strconv.Itoa(catalog.ZookeeperAdminPort)},
		// Old snapshots and transaction logs are removed daily, three kept.
		{Name: "ZOOKEEPER_AUTOPURGE_SNAP_RETAIN_COUNT", Value: "3"},
		{Name: "ZOOKEEPER_AUTOPURGE_PURGE_INTERVAL", Value: "24"},
	}
	if z.Replicas > 1 {
		env = append(env,
			kube.FieldEnv(scripts.EnvPodIndex, kube.PodIndexPath),
			corev1.EnvVar{Name: scripts.EnvZookeeperServers, Value: Servers(cat, z)},
			// A server's own entry names its pod's address; bind every one.
			corev1.EnvVar{Name: "ZOOKEEPER_QUORUM_LISTEN_ON_ALL_IPS", Value: "true"})
	}
	env = append(env,
		corev1.EnvVar{Name: scripts.EnvKafkaHeapOpts, Value: kube.JVMHeap(z.Resources)},
		corev1.EnvVar{Name: scripts.EnvKafkaLogDir, Value: JVMLogDir})
	configVol, configMount := kube.EmptyDirMount(configVolume, ConfigDir)
	logsVol, logsMount := kube.EmptyDirMount(logsVolume, JVMLogDir)
	c := corev1.Container{
		Name:    Component,
		Image:   cat.Spec.Images.Zookeeper,
		Command: []string{"/bin/sh", "-c", scripts.ZookeeperStart, "zookeeper-start", Entrypoint},
		Ports: []corev1.ContainerPort{
			{Name: naming.PortZookeeper, ContainerPort: z.Port, Protocol: corev1.ProtocolTCP},
			{Name: naming.PortZookeeperFollower, ContainerPort: catalog.ZookeeperFollowerPort, Protocol: corev1.ProtocolTCP},
			{Name: naming.PortZookeeperElection, ContainerPort: catalog.ZookeeperElectionPort, Protocol: corev1.ProtocolTCP},
			{Name: naming.PortZookeeperAdmin, ContainerPort: catalog.ZookeeperAdminPort, Protocol: corev1.ProtocolTCP},
		},
		Env: env,
		VolumeMounts: []corev1.VolumeMount{
			{Name: dataVolume, MountPath: DataDir},
			{Name: txlogVolume, MountPath: LogDir},
			configMount,
			logsMount,
		},
		Resources: kube.Resources(z.Resources),
		// Replaying a large transaction log takes a while: up to 5 minutes.
		StartupProbe: kube.TCPProbe(z.Port, 5, 3, 60),
		// ruok through the admin server, without error: the server serves
		// (in an ensemble: has a quorum).
		ReadinessProbe: kube.ExecProbe([]string{"/bin/sh", "-c", scripts.ZookeeperReady}, 10, 5, 3),
		LivenessProbe:  kube.TCPProbe(z.Port, 10, 5, 6),
	}
	pod := corev1.PodSpec{
		Containers:                    []corev1.Container{c},
		Volumes:                       []corev1.Volume{configVol, logsVol},
		TerminationGracePeriodSeconds: kube.Ptr(int64(60)),
	}
	if z.Replicas > 1 {
		kube.SpreadServers(&pod, z.AntiAffinity == catalog.AntiAffinityRequired, ep.PodLabels)
	}
	return kube.Server{
		Name:      ep.Name,
		Headless:  naming.ZookeeperHeadless,
		PodLabels: ep.PodLabels,
		Replicas:  int32(z.Replicas),
		UID:       UID,
		Ports: []corev1.ServicePort{
			kube.ServicePort(naming.PortZookeeper, z.Port),
			kube.ServicePort(naming.PortZookeeperFollower, catalog.ZookeeperFollowerPort),
			kube.ServicePort(naming.PortZookeeperElection, catalog.ZookeeperElectionPort),
			kube.ServicePort(naming.PortZookeeperAdmin, catalog.ZookeeperAdminPort),
		},
		Pod:             pod,
		Volume:          dataVolume,
		MoreVolumes:     []string{txlogVolume},
		Storage:         z.Storage,
		StorageClass:    z.StorageClassName,
		PublishNotReady: true,
		// An ensemble forms only once a majority runs: start them together.
		Parallel: true,
	}
}
