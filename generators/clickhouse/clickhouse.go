// Package clickhouse is the generator clickhouse: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail. The Altinity ClickHouse Operator
// is assumed installed; README.md beside this file says what it creates
// and how services reach it.
//
// When the catalog has novagen run ClickHouse (infrastructure.clickhouse.
// managed, the default):
//
//   - ClickHouseInstallation clickhouse: one cluster (clickhouse.cluster)
//     of shards × replicas hosts (1 × 1; more need ClickHouse Keeper), a
//     data volume per host kept when the installation goes (reclaimPolicy
//     Retain), a pod template running the pinned clickhouse-server image as
//     its own user (101) under the restricted profile, and a service
//     template that names the operator's client Service after the catalog
//     node, clickhouse, which is what services dial;
//   - a ClickHouse user per service that depends on ClickHouse and one for
//     the schema Job: password only from its Secret (valueFrom
//     secretKeyRef), networks/ip the pod network (clientNetworks), grants
//     on the analytics database alone;
//   - NetworkPolicy clickhouse-from-operator: the operator may query the
//     pods over HTTP;
//   - with monitoring on (catalog.Catalog.ClickHouseMetrics), ClickHouse's
//     own Prometheus endpoint in the installation's settings and its
//     container port, which generator monitoring's PodMonitor scrapes.
//
// Whoever runs it (ClickHouse provided from outside gets the same schema):
//
//   - ConfigMap clickhouse-schema: the DDL, a file per table, written from
//     the catalog's table definitions (Schema);
//   - Job clickhouse-schema-init-<hash>, in ClickHouse's sync wave, running
//     scripts.ClickHouseSchema with clickhouse-client from the server image;
//   - NetworkPolicies for the Job's pods (egress to ClickHouse) and, when
//     the pods are here, clickhouse-from-schema-init (they accept it).
package clickhouse

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "clickhouse"

// Component is the catalog's name of ClickHouse, and the name of the
// operator's client Service.
const Component = "clickhouse"

// Names, identities and limits of what this package emits.
const (
	// UID is the clickhouse user (and group) of the official image.
	UID = 101
	// ComponentSchema is the app.kubernetes.io/component of the schema
	// Job and its pods (kube.JobPodSelector).
	ComponentSchema = "clickhouse-schema"
	// ContainerName is the server container: the operator recognises
	// it by this name.
	ContainerName = "clickhouse"
	// LogDir is where the server logs (the operator's default config); an
	// emptyDir, since the root filesystem is read-only.
	LogDir = "/var/log/clickhouse-server"
	// SchemaDir is where the schema Job mounts the DDL.
	SchemaDir = "/etc/clickhouse-schema"
	// MinSchemaWait is the least the schema Job waits for ClickHouse: the
	// operator creates the pods only after the installation is applied,
	// and a new volume may take minutes to bind.
	MinSchemaWait = 10 * time.Minute

	// Template names inside the installation.
	hostTemplate    = "host"
	podTemplate     = "pod"
	dataTemplate    = "data"
	serviceTemplate = "client"
	logVolume       = "logs"
	schemaVolume    = "schema"
)

// Generate returns the installation and its policy when managed, and the
// schema ConfigMap, Job and policies; nothing for a catalog without
// ClickHouse.
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	ch := cat.Spec.Infrastructure.ClickHouse
	if ch == nil || !cat.OwnsShared() { // shared: the infrastructure partition's
		return nil, nil
	}
	ep, ok := cat.Endpoint(Component)
	if !ok {
		return nil, fmt.Errorf("catalog has clickhouse but no endpoint %q", Component)
	}
	var out []kube.Object
	if ch.IsManaged() {
		out = append(out, installation(cat, ch, ep), operatorPolicy(cat, ch, ep))
	}
	data := Schema(ch)
	cm := &corev1.ConfigMap{
		TypeMeta:   kube.TypeMeta("v1", "ConfigMap"),
		ObjectMeta: kube.Meta(cat, Name, naming.ClickHouseSchema, ComponentSchema),
		Data:       data,
	}
	job, err := schemaJob(cat, ch, ep, kube.ContentHash(data))
	if err != nil {
		return nil, err
	}
	out = append(out, cm, job, kube.JobEgressPolicy(cat, Name, naming.ClickHouseSchemaPolicy, ComponentSchema, ep))
	if !ep.Outside() {
		out = append(out, kube.JobIngressPolicy(cat, Name, naming.ClickHouseFromSchema, ComponentSchema, ep))
	}
	kube.BelongTo(Component, out)
	return out, nil
}

// installation is the ClickHouseInstallation.
func installation(cat *catalog.Catalog, ch *catalog.ClickHouse, ep catalog.Endpoint) *Installation {
	c := corev1.Container{
		Name:  ContainerName,
		Image: cat.Spec.Images.ClickHouse,
		Env: []corev1.EnvVar{
			// The operator writes the users; the image's entrypoint must
			// not write its own into the operator's read-only users.d.
			{Name: "CLICKHOUSE_SKIP_USER_SETUP", Value: "1"},
			{Name: "CLICKHOUSE_DO_NOT_CHOWN", Value: "1"},
		},
		Resources:    kube.Resources(ch.Resources),
		VolumeMounts: []corev1.VolumeMount{{Name: logVolume, MountPath: LogDir}},
	}
	settings := metricsSettings(cat, &c)
	pod := corev1.PodSpec{
		Containers: []corev1.Container{c},
		Volumes: []corev1.Volume{{
			Name:         logVolume,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
		}},
	}
	if ch.Replicated() {
		// podDistribution keeps the replicas on different nodes; spread
		// them over zones too, as a preference (the pod template is a
		// PodSpec the operator passes on to its StatefulSets).
		pod.TopologySpreadConstraints = kube.TopologySpread(ep.PodLabels, nil, corev1.LabelTopologyZone)
	}
	kube.HardenAs(&pod, UID)
	pvc := corev1.PersistentVolumeClaimSpec{
		AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
		Resources: corev1.VolumeResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(ch.Storage)},
		},
	}
	if ch.StorageClassName != "" {
		pvc.StorageClassName = kube.Ptr(ch.StorageClassName)
	}
	return &Installation{
		TypeMeta:   kube.TypeMeta(APIVersion, Kind),
		ObjectMeta: kube.Meta(cat, Name, naming.ClickHouseInstallation, kube.ComponentServer),
		Spec: InstallationSpec{
			Defaults: Defaults{Templates: DefaultTemplates{
				HostTemplate:            hostTemplate,
				PodTemplate:             podTemplate,
				DataVolumeClaimTemplate: dataTemplate,
				ServiceTemplate:         serviceTemplate,
			}},
			Configuration: Configuration{
				Users:     Users(cat, ch),
				Settings:  settings,
				Zookeeper: coordination(cat, ch),
				Clusters:  []Cluster{{Name: ch.Cluster, Layout: Layout{ShardsCount: ch.Shards, ReplicasCount: ch.Replicas}}},
			},
			Templates: Templates{
				HostTemplates: []HostTemplate{{Name: hostTemplate, Spec: HostSpec{TCPPort: ch.Port, HTTPPort: ch.HTTPPort}}},
				PodTemplates:  []PodTemplate{{Name: podTemplate, Metadata: &PodMetadata{Labels: ep.PodLabels}, PodDistribution: distribution(ch), Spec: pod}},
				VolumeClaimTemplates: []VolumeClaimTemplate{{
					Name: dataTemplate, ReclaimPolicy: "Retain", Spec: pvc,
				}},
				ServiceTemplates: []ServiceTemplate{{
					Name:         serviceTemplate,
					GenerateName: ep.Name,
					Spec: corev1.ServiceSpec{
						Type: corev1.ServiceTypeClusterIP,
						Ports: []corev1.ServicePort{
							kube.ServicePort(naming.PortClickHouseTCP, ch.Port),
							kube.ServicePort(naming.PortClickHouseHTTP, ch.HTTPPort),
						},
					},
				}},
			},
		},
	}
}

// metricsSettings switches on ClickHouse's own Prometheus endpoint when
// Prometheus scrapes it (catalog.Catalog.ClickHouseMetrics): the server's
// <prometheus> section with every family (current metrics, profile
// events, asynchronous metrics), and the container port its PodMonitor
// names. Nothing otherwise, so a catalog without monitoring keeps its
// installation as it was.
func metricsSettings(cat *catalog.Catalog, c *corev1.Container) map[string]string {
	t, ok := cat.ClickHouseMetrics()
	if !ok {
		return nil
	}
	c.Ports = append(c.Ports, corev1.ContainerPort{Name: t.PortName, ContainerPort: t.Port, Protocol: corev1.ProtocolTCP})
	// Strings, which the operator copies as they are: ClickHouse reads
	// "true" as a boolean.
	return map[string]string{
		"prometheus/endpoint":             MetricsPath,
		"prometheus/port":                 strconv.Itoa(int(t.Port)),
		"prometheus/metrics":              "true",
		"prometheus/events":               "true",
		"prometheus/asynchronous_metrics": "true",
	}
}

// MetricsPath is where ClickHouse serves its Prometheus metrics.
const MetricsPath = "/metrics"

// coordination is the ZooKeeper of replicated tables and ON CLUSTER DDL:
// the catalog's, at its client Service (as Kafka reaches it). The loader
// requires one for replicas.
func coordination(cat *catalog.Catalog, ch *catalog.ClickHouse) *Zookeeper {
	if !ch.Replicated() {
		return nil
	}
	zk, _ := cat.Endpoint("zookeeper")
	return &Zookeeper{Nodes: []ZookeeperNode{{Host: zk.Host, Port: zk.Port}}}
}

// distribution puts no two ClickHouse pods of the installation on one
// node, so a node's loss takes one replica at most.
func distribution(ch *catalog.ClickHouse) []PodDistribution {
	if !ch.Replicated() {
		return nil
	}
	return []PodDistribution{{Type: "ClickHouseAntiAffinity", Scope: "ClickHouseInstallation"}}
}

// Users is the installation's configuration.users: a login per client
// service and one for the schema Job, keyed user/setting as the operator
// reads it.
func Users(cat *catalog.Catalog, ch *catalog.ClickHouse) map[string]any {
	users := map[string]any{}
	db := ident(ch.Database)
	onDB := func(grants []string) string { return "GRANT " + strings.Join(grants, ", ") + " ON " + db + ".*" }
	add := func(user, secret string, queries ...string) {
		users[user+"/password"] = map[string]any{
			"valueFrom": map[string]any{
				"secretKeyRef": map[string]any{"name": secret, "key": naming.KeyPassword},
			},
		}
		users[user+"/networks/ip"] = ch.ClientNetworks
		users[user+"/profile"] = "default"
		users[user+"/grants/query"] = queries
	}
	for _, svc := range cat.ClickHouseClients() {
		add(naming.ClickHouseUser(svc), naming.ClickHouseSecret(svc), onDB(ch.Grants))
	}
	schemaGrants := []string{onDB(SchemaGrants)}
	if ch.Replicated() {
		// ON CLUSTER statements need the global CLUSTER privilege.
		schemaGrants = append(schemaGrants, "GRANT CLUSTER ON *.*")
	}
	add(naming.ClickHouseSchemaUser, naming.ClickHouseSchemaSecret, schemaGrants...)
	return users
}

// SchemaGrants are what the schema Job's user may do: create the database
// and its tables, and see which exist. It cannot read or write rows.
var SchemaGrants = []string{"CREATE DATABASE", "CREATE TABLE", "SHOW TABLES"}

// operatorPolicy lets the operator (another namespace) query the pods
// over HTTP, which it does to manage and monitor them.
func operatorPolicy(cat *catalog.Catalog, ch *catalog.ClickHouse, ep catalog.Endpoint) kube.Object {
	return kube.IngressFrom(cat, Name, naming.ClickHouseFromOperator, ep.PodLabels,
		kube.PeerIn(ch.Operator.Namespace, ch.Operator.PodLabels), ch.HTTPPort)
}

// schemaJob applies the DDL with clickhouse-client from the server image,
// as the catalog's UID (the client writes no file).
func schemaJob(cat *catalog.Catalog, ch *catalog.ClickHouse, ep catalog.Endpoint, ddlHash string) (kube.Object, error) {
	retries, interval := kube.StretchedWait(cat.Spec.Defaults.Wait, MinSchemaWait)
	c := corev1.Container{
		Name:    "schema-init",
		Image:   cat.Spec.Images.ClickHouse,
		Command: []string{"/bin/sh", "-c", scripts.ClickHouseSchema},
		Env: []corev1.EnvVar{
			{Name: scripts.EnvClickHouseHost, Value: ep.Host},
			{Name: scripts.EnvClickHousePort, Value: strconv.Itoa(int(ch.Port))},
			{Name: scripts.EnvClickHouseDatabase, Value: ch.Database},
			{Name: scripts.EnvSchemaDir, Value: SchemaDir},
			{Name: scripts.EnvRetries, Value: strconv.Itoa(retries)},
			{Name: scripts.EnvInterval, Value: strconv.Itoa(interval)},
			{Name: "HOME", Value: "/tmp"},
			kube.SecretEnv(scripts.EnvClickHouseUser, naming.ClickHouseSchemaSecret, naming.KeyUsername),
			kube.SecretEnv(scripts.EnvClickHousePassword, naming.ClickHouseSchemaSecret, naming.KeyPassword),
		},
		VolumeMounts: []corev1.VolumeMount{{Name: schemaVolume, MountPath: SchemaDir, ReadOnly: true}},
		Resources: kube.Resources(catalog.Resources{
			Requests: map[string]string{"cpu": "50m", "memory": "128Mi"},
			Limits:   map[string]string{"cpu": "500m", "memory": "512Mi"},
		}),
	}
	pod := corev1.PodSpec{
		Containers: []corev1.Container{c},
		Volumes: []corev1.Volume{{
			Name: schemaVolume,
			VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
				LocalObjectReference: corev1.LocalObjectReference{Name: naming.ClickHouseSchema},
			}},
		}},
	}
	return kube.Job(cat, Name, naming.ClickHouseSchemaJob, ComponentSchema, pod, kube.JobOptions{
		// The wait, then a few seconds per table; retries included.
		ActiveDeadlineSeconds: int64(retries*interval) + 600,
		PodAnnotations:        map[string]string{AnnotationSchema: ddlHash},
	})
}

// AnnotationSchema is the SHA-256 of the DDL on the Job's pods: a changed
// schema is a new Job.
const AnnotationSchema = "novagen.nova.dev/clickhouse-schema-sha256"
