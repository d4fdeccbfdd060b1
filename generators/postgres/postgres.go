// Package postgres generates the PostgreSQL server the service databases
// live in (the seed's startup step 3, "PostgreSQL StatefulSet + PVC"),
// when the catalog has novagen run it (infrastructure.postgres.managed,
// the default; a server provided from outside gets only a Service
// pointing at it, from generator external-services):
//
//   - StatefulSet postgres, one replica (PostgreSQL does not replicate by
//     adding pods; a catalog that needs high availability provides its
//     server from outside), the pinned postgres image running as its own
//     numeric user (70) under the restricted profile: PGDATA in a
//     subdirectory of the data volume (whose root holds lost+found), the
//     socket directory and /tmp on emptyDirs, the root file system
//     read-only;
//   - the headless Service postgres-headless that governs it, and the
//     Service postgres clients dial;
//   - the admin credential only from Secret postgres-admin (generator
//     secrets), as environment variables from the Secret, never as a
//     value;
//   - when the catalog's init SQL is one group (schema.SingleInitGroup:
//     unpartitioned, at most schema.DatabasesPerInitGroup databases), the
//     db-init ConfigMap mounted at /docker-entrypoint-initdb.d with every
//     role's password variable, so an empty data directory comes up with
//     every database, role and extension on first start, running the
//     same scripts the db-init Job runs against a server that exists
//     already (they are idempotent: the Job then changes nothing). A
//     larger or partitioned catalog keeps the server's spec the same size
//     whatever its catalog: no mount, no per-login variable; its grouped
//     db-init Jobs, which run on every sync after the server is up,
//     initialise it;
//   - pg_isready startup, readiness and liveness probes.
package postgres

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
	"github.com/novagen/novagen/schema"
)

// Name is the generator's name in function configs and the registry.
const Name = "postgres"

// The postgres image's own user and where it keeps things.
const (
	UID          = 70 // postgres in the official images (alpine and debian)
	DataDir      = "/var/lib/postgresql/data"
	PGData       = DataDir + "/pgdata"
	SocketDir    = "/var/run/postgresql"
	InitDir      = "/docker-entrypoint-initdb.d"
	dataVolume   = "data"
	socketVolume = "run"
	initVolume   = "init-scripts"
)

// Generate returns the StatefulSet and its Services; nothing for a
// catalog without PostgreSQL or one provided from outside, or for a
// partition's render other than the infrastructure's (the server is
// shared).
func Generate(cat *schema.Catalog) ([]kube.Object, error) {
	pg := cat.Spec.Infrastructure.Postgres
	ep, ok := cat.DatabaseServer()
	if pg == nil || !ok || ep.Outside() || !cat.OwnsShared() {
		return nil, nil
	}
	port := strconv.Itoa(int(pg.Port))
	ready := []string{"pg_isready", "-q", "-h", "127.0.0.1", "-p", port, "-U", pg.Admin.User, "-d", "postgres"}
	env := []corev1.EnvVar{
		kube.SecretEnv("POSTGRES_USER", naming.AdminSecret, naming.KeyUsername),
		kube.SecretEnv("POSTGRES_PASSWORD", naming.AdminSecret, naming.KeyPassword),
		// The entrypoint creates POSTGRES_DB (default: the user's name);
		// the scripts start in the maintenance database.
		{Name: "POSTGRES_DB", Value: "postgres"},
		{Name: "PGDATA", Value: PGData},
		// The entrypoint's first-start server and its psql use it too.
		{Name: "PGPORT", Value: port},
	}
	c := corev1.Container{
		Name:  "postgres",
		Image: cat.Spec.Images.Postgres,
		Args:  []string{"postgres", "-c", "port=" + port},
		Ports: []corev1.ContainerPort{{Name: naming.PortPostgres, ContainerPort: pg.Port, Protocol: corev1.ProtocolTCP}},
		Env:   env,
		VolumeMounts: []corev1.VolumeMount{
			{Name: dataVolume, MountPath: DataDir},
			{Name: socketVolume, MountPath: SocketDir},
		},
		// A first start runs initdb and the init scripts: up to 5 minutes.
		StartupProbe:   kube.ExecProbe(ready, 5, 5, 60),
		ReadinessProbe: kube.ExecProbe(ready, 10, 5, 3),
		LivenessProbe:  kube.ExecProbe(ready, 10, 5, 6),
		Resources:      kube.Resources(pg.Resources),
	}
	pod := corev1.PodSpec{
		Containers: []corev1.Container{c},
		Volumes:    []corev1.Volume{kube.EmptyDir(socketVolume)},
		// A fast shutdown: PostgreSQL checkpoints before it exits.
		TerminationGracePeriodSeconds: kube.Ptr(int64(60)),
	}
	if cat.SingleInitGroup() {
		runInitScriptsOnFirstStart(cat, &pod)
	}
	return kube.ServerObjects(cat, Name, kube.Server{
		Name:         ep.Name,
		Headless:     naming.PostgresHeadless,
		PodLabels:    ep.PodLabels,
		Replicas:     1,
		UID:          UID,
		Ports:        []corev1.ServicePort{kube.ServicePort(naming.PortPostgres, pg.Port)},
		Pod:          pod,
		Volume:       dataVolume,
		Storage:      pg.Storage,
		StorageClass: pg.StorageClassName,
	}), nil
}

// runInitScriptsOnFirstStart mounts the one db-init ConfigMap at
// /docker-entrypoint-initdb.d and gives the server every login's password
// variable, so an empty data directory comes up with every database and
// role. Only for a catalog whose init SQL is one group: the mount and the
// variables grow with the catalog, and the db-init Jobs do the same work
// on every sync anyway.
func runInitScriptsOnFirstStart(cat *schema.Catalog, pod *corev1.PodSpec) {
	c := &pod.Containers[0]
	c.Env = append(c.Env, kube.PasswordEnvVars(cat)...)
	c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: initVolume, MountPath: InitDir, ReadOnly: true})
	pod.Volumes = append(pod.Volumes, corev1.Volume{Name: initVolume, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
		LocalObjectReference: corev1.LocalObjectReference{Name: naming.DBInitConfigMap},
		// A catalog without databases has no ConfigMap: start anyway.
		Optional: kube.Ptr(true),
	}}})
}
