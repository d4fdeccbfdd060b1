// Package migrations is the generator migrations: its description in the
// registry (generators/registry.go; novagen generators prints it) says
// what it emits, and this is the detail. The Job sqlx-migrate-<hash> runs
// once db-init has created the databases and roles, each service's
// migrations as that service's own role.
//
// # Design
//
// A service's migrations ship inside its image (at the catalog's
// migrations.source, /migrations), but the image has no sqlx, and the
// pinned sqlx image (images.sqlx) has no migrations. And the containers of
// a pod run in parallel, so "one container per service" gives neither an
// order nor a clear failure. So the pod is a chain of init containers,
// which Kubernetes runs one after another, each only once the previous
// succeeded:
//
//	wait-for-postgres         pg_isready, the catalog's wait policy
//	copy-<service>            the service's image: cp -R <source>/. into an emptyDir
//	migrate-<service>         the sqlx image: sqlx migrate run on that copy
//	... (two per service, in catalog order)
//	main: done                logs the total; reached only if all succeeded
//
// Each migrate container gets only its own service's DATABASE_URL (key
// DATABASE_URL of Secret <service>-db), so migrations run as the role
// that owns the service's schema, and one service's credentials are never
// in another's container. It logs "[3/14] media-service: applied 2
// migrations"; the first failure stops the chain, names the service and
// fails the pod; the Job retries (backoffLimit 3) and sqlx resumes after
// the last migration it recorded.
//
// What a service image must provide: its migrations at the catalog's
// migrations.source (an empty directory if it has none) and a cp on PATH.
// The copy runs in exec form, so the image needs no shell.
//
// So that no Job grows with the catalog, the services are split into
// groups of at most ServicesPerMigrationGroup in catalog order
// (catalog.Groups, never mixing partitions), one Job each,
// sqlx-migrate-<suffix>-<hash> (plain sqlx-migrate-<hash> when the
// catalog is one group). The groups run in parallel, each service's
// migrations still one after another within its group; every group's Job
// is a resource of the migrations wave, after the database init wave
// whose Jobs created each service's database and role (in the same
// partition: a database goes with its owner).
//
// The package also emits the NetworkPolicy of the Jobs' pods: PostgreSQL
// and DNS, nothing else (with the shared objects of a partitioned render).
package migrations

import (
	"path"
	"strconv"

	corev1 "k8s.io/api/core/v1"

	"github.com/novagen/novagen/catalog"
	"github.com/novagen/novagen/generators/kube"
	"github.com/novagen/novagen/generators/scripts"
	"github.com/novagen/novagen/naming"
)

// Name is the generator's name in function configs and the registry.
const Name = "migrations"

// JobName is the Job's name before its -<hash of the spec> suffix.
const JobName = naming.MigrationsJob

const (
	workVolume = "migrations"
	workDir    = "/migrations-work" // <workDir>/<service> per service
)

// ServicesPerMigrationGroup: database-owning services per Job
// sqlx-migrate[-<suffix>]-<hash> (two init containers each). A full group
// stays well inside the API server's and Argo CD's limits even when
// everything the loader bounds is at its limit (113 KiB; with names like
// synth's about 90 KiB). The tests measure it.
const ServicesPerMigrationGroup = 35

// Check: the migration Jobs are named sqlx-migrate-<partition>-<k>; each
// must still fit a label value (63 characters). It reads Spec and the
// partitions alone (the loader runs it before the index exists),
// grouping the services as Generate will.
func Check(cat *catalog.Catalog) []catalog.Problem {
	if cat.Spec.Infrastructure.Postgres == nil || len(cat.Spec.Databases) == 0 {
		return nil
	}
	var owners []string
	for _, s := range cat.Spec.Services {
		if s.Database != "" {
			owners = append(owners, s.Name)
		}
	}
	names := kube.GroupNames{Catalog: cat, Objects: "PostgreSQL objects"}
	for _, g := range catalog.Groups(cat, owners, cat.PartitionOf, ServicesPerMigrationGroup) {
		names.Fit(g.Partition, "Job", naming.Grouped(naming.MigrationsJob, g.Suffix), naming.MaxLabel)
	}
	return names.Problems
}

// Generate returns a migration Job per group of database-owning services
// (catalog.Groups of ServicesPerMigrationGroup, in catalog order,
// partition-aligned) and once their NetworkPolicy; nothing when no
// service has a database (the loader guarantees PostgreSQL when one
// does).
func Generate(cat *catalog.Catalog) ([]kube.Object, error) {
	return generate(cat, ServicesPerMigrationGroup)
}

// generate is Generate with groups of at most size services.
func generate(cat *catalog.Catalog, size int) ([]kube.Object, error) {
	owners := cat.DatabaseOwners()
	ep, ok := cat.DatabaseServer()
	if len(owners) == 0 || !ok {
		return nil, nil
	}
	partition := func(s *catalog.Service) string { return cat.PartitionOf(s.Name) }
	var out []kube.Object
	for _, g := range catalog.Groups(cat, owners, partition, size) {
		job, err := migrationJob(cat, ep, naming.Grouped(JobName, g.Suffix), g.Members)
		if err != nil {
			return nil, err
		}
		out = append(out, job)
	}
	if cat.OwnsShared() {
		// One policy for every group: it selects the pods by component.
		out = append(out, kube.JobEgressPolicy(cat, Name, naming.MigrationsComponent, kube.ComponentMigrations, ep))
	}
	return out, nil
}

// migrationJob migrates owners one after another, as the Job base.
func migrationJob(cat *catalog.Catalog, ep catalog.Endpoint, base string, owners []*catalog.Service) (kube.Object, error) {
	total := strconv.Itoa(len(owners))
	init := []corev1.Container{kube.WaitContainer(cat, ep)}
	for i, svc := range owners {
		dir := path.Join(workDir, svc.Name)
		init = append(init, copyContainer(cat, svc, dir), migrateContainer(cat, svc, dir, strconv.Itoa(i+1), total))
	}
	done := corev1.Container{
		Name:      "done",
		Image:     cat.Spec.Images.Busybox,
		Command:   []string{"/bin/sh", "-c", scripts.MigrationsDone},
		Env:       []corev1.EnvVar{{Name: scripts.EnvMigrateTotal, Value: total}},
		Resources: kube.HelperResources(),
	}
	pod := corev1.PodSpec{
		InitContainers: init,
		Containers:     []corev1.Container{done},
		Volumes: []corev1.Volume{{
			Name:         workVolume,
			VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}},
		}},
	}
	return kube.Job(cat, Name, base, kube.ComponentMigrations, pod, kube.JobOptions{
		ActiveDeadlineSeconds: int64(cat.Spec.Migrations.ActiveDeadline.Seconds()),
	})
}

// copyContainer copies the migrations out of the service's image.
func copyContainer(cat *catalog.Catalog, svc *catalog.Service, dir string) corev1.Container {
	return corev1.Container{
		Name:         naming.CopyContainer(svc.Name),
		Image:        svc.ImageRef(),
		Command:      []string{"cp", "-R", path.Clean(cat.Spec.Migrations.Source) + "/.", dir},
		VolumeMounts: []corev1.VolumeMount{{Name: workVolume, MountPath: workDir}},
		Resources:    kube.HelperResources(),
	}
}

// migrateContainer runs sqlx on the copy as the service's role.
func migrateContainer(cat *catalog.Catalog, svc *catalog.Service, dir, step, total string) corev1.Container {
	return corev1.Container{
		Name:    naming.MigrateContainer(svc.Name),
		Image:   cat.Spec.Images.Sqlx,
		Command: []string{"/bin/sh", "-c", scripts.Migrate},
		Env: []corev1.EnvVar{
			{Name: scripts.EnvMigrateStep, Value: step},
			{Name: scripts.EnvMigrateTotal, Value: total},
			{Name: scripts.EnvMigrateService, Value: svc.Name},
			{Name: scripts.EnvMigrateSource, Value: dir},
			kube.SecretEnv(naming.EnvDatabaseURL, naming.DBSecret(svc.Name), naming.KeyDatabaseURL),
		},
		VolumeMounts: []corev1.VolumeMount{{Name: workVolume, MountPath: workDir, ReadOnly: true}},
		// sqlx, unlike the helpers, holds a connection and migration files.
		Resources: kube.Resources(cat.Spec.Defaults.Resources),
	}
}
