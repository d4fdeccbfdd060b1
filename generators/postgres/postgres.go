// Package postgres is the generator postgres: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail:
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
//   - nothing that depends on the catalog's databases or logins: no
//     init scripts mounted at /docker-entrypoint-initdb.d, no login's
//     password variable. The server's spec (and so its pod, the only
//     PostgreSQL) stays the same when a service or a database is added;
//     the db-init Jobs, which run on every sync once the server is ready,
//     create every database, role and extension on a new data directory
//     as on an existing one;
//   - pg_isready startup, readiness and liveness probes.
package postgres

import (
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "postgres"

// The postgres image's own user and where it keeps things.
const (
	UID          = 70 // postgres in the official images (alpine and debian)
	DataDir      = "/var/lib/postgresql/data"
	PGData       = DataDir + "/pgdata"
	SocketDir    = "/var/run/postgresql"
	dataVolume   = "data"
	socketVolume = "run"
)

// Generate returns the StatefulSet and its Services; nothing for a
// catalog without PostgreSQL or one provided from outside, or for a
// partition's render other than the infrastructure's (the server is
// shared).
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
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
		// A first start runs initdb: up to 5 minutes on a slow volume.
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
