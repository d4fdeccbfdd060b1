package schema

import (
	"fmt"

	"github.com/novagen/novagen/naming"
)

// The PostgreSQL layer's objects that would grow with the catalog are
// split into groups (Groups) of at most this many members each. A full
// group stays well inside the API server's and Argo CD's limits even when
// everything the loader bounds is at its limit (the longest names, a
// reader on every database, the most extensions: db-init 141 KiB,
// migrations 113 KiB; with names like synth's about 45 KiB and 90 KiB),
// while the Nova staging catalog (15 databases) keeps room to grow in one
// group. Generators db-init and migrations measure it in their tests.
const (
	// DatabasesPerInitGroup: databases per db-init group, i.e. per
	// ConfigMap postgres-init-scripts[-<suffix>], its Job
	// postgres-db-init[-<suffix>]-<hash> and its CronJob
	// postgres-password-sync[-<suffix>].
	DatabasesPerInitGroup = 20
	// ServicesPerMigrationGroup: database-owning services per Job
	// sqlx-migrate[-<suffix>]-<hash> (two init containers each).
	ServicesPerMigrationGroup = 35
)

// Loader limits on the catalog parts that size one group's objects (the
// group sizes above are measured at these):
const (
	// MaxDatabaseDescription: a database's description is a line of its
	// group's database-mapping.txt.
	MaxDatabaseDescription = 200
	// MaxPostgresExtensions: every extension is created in every
	// database, so the init SQL holds databases x extensions statements.
	MaxPostgresExtensions = 8
	// MaxPostgresIdentifier: PostgreSQL truncates longer names (an
	// extension's too).
	MaxPostgresIdentifier = 63
	// MaxImageRepository is the registries' limit on a repository name
	// (the distribution spec's 255); each database-owning service's image
	// is in its migration Job.
	MaxImageRepository = 255
)

// checkPostgresSizes: the limits above, located.
func (v *validator) checkPostgresSizes() {
	for i, d := range v.cat.Spec.Databases {
		if n := len([]rune(d.Description)); n > MaxDatabaseDescription {
			v.errorf(fmt.Sprintf("/spec/databases/%d/description", i), "database %q: description has %d characters, at most %d (it is part of the init SQL's database mapping)",
				d.Name, n, MaxDatabaseDescription)
		}
	}
	if pg := v.cat.Spec.Infrastructure.Postgres; pg != nil {
		const ptr = "/spec/infrastructure/postgres/extensions"
		if len(pg.Extensions) > MaxPostgresExtensions {
			v.errorf(ptr, "%d extensions, at most %d (each is created in every database)", len(pg.Extensions), MaxPostgresExtensions)
		}
		for i, e := range pg.Extensions {
			if len(e) > MaxPostgresIdentifier {
				v.errorf(fmt.Sprintf("%s/%d", ptr, i), "extension %s has %d characters, at most %d (PostgreSQL's limit on names)", quoteShort(e), len(e), MaxPostgresIdentifier)
			}
		}
	}
	for i, s := range v.cat.Spec.Services {
		if len(s.Image.Repository) <= MaxImageRepository {
			continue
		}
		ptr := fmt.Sprintf("/spec/services/%d/image/repository", i)
		if !v.pos.has(ptr) {
			ptr = "/spec/defaults/image/registry"
		}
		v.errorf(ptr, "service %q: image repository has %d characters, at most %d (the registries' limit)", s.Name, len(s.Image.Repository), MaxImageRepository)
	}
}

// DatabasePartition is the partition a database's objects (its init SQL,
// its logins' Secrets) belong to: its owning service's, or the
// infrastructure partition for a database no service owns.
func (c *Catalog) DatabasePartition(db string) string {
	if s, ok := c.DatabaseOwner(db); ok && c.Partitioned() {
		return c.PartitionOf(s.Name)
	}
	return InfrastructurePartition
}

// OwnsDatabase says whether the objects of database db (and of its
// logins) are rendered: those of its owner's partition, or shared ones.
func (c *Catalog) OwnsDatabase(db string) bool {
	if s, ok := c.DatabaseOwner(db); ok {
		return c.Owns(s.Name)
	}
	return c.OwnsShared()
}

// checkPostgresGroups: the grouped PostgreSQL objects are named
// <name>-<partition>-<k>; each must still fit its Kubernetes limit (a
// CronJob name 52 characters, a label value 63), which a long partition
// name with many databases can break.
func (v *validator) checkPostgresGroups() {
	if v.cat.Spec.Infrastructure.Postgres == nil || len(v.cat.Spec.Databases) == 0 {
		return
	}
	// The index is built after validation: group a copy the way the
	// generators will.
	c := *v.cat
	c.scope = ""
	c.indexPartitions()
	owner := map[string]string{}
	var owners []string
	for _, s := range v.cat.Spec.Services {
		if s.Database != "" {
			owner[s.Database] = s.Name
			owners = append(owners, s.Name)
		}
	}
	dbPartition := func(d Database) string {
		if s, ok := owner[d.Name]; ok {
			return c.PartitionOf(s)
		}
		return InfrastructurePartition
	}
	reported := map[string]bool{}
	check := func(partition, kind, name string, limit int) {
		if len(name) <= limit || reported[partition] {
			return
		}
		reported[partition] = true
		v.errorf(v.partitionPointer(partition), "partition %q is too long for its PostgreSQL objects: %s %q would have %d characters, at most %d; shorten the partition name",
			partition, kind, name, len(name), limit)
	}
	for _, g := range Groups(&c, v.cat.Spec.Databases, dbPartition, DatabasesPerInitGroup) {
		check(g.Partition, "ConfigMap", naming.Grouped(naming.DBInitConfigMap, g.Suffix), naming.MaxLabel)
		check(g.Partition, "Job", naming.Grouped(naming.DBInitJob, g.Suffix), naming.MaxLabel)
		check(g.Partition, "CronJob", naming.Grouped(naming.PasswordSyncJob, g.Suffix), naming.MaxCronJobName)
	}
	for _, g := range Groups(&c, owners, c.PartitionOf, ServicesPerMigrationGroup) {
		check(g.Partition, "Job", naming.Grouped(naming.MigrationsJob, g.Suffix), naming.MaxLabel)
	}
}

// partitionPointer is where a partition is named: the label of its first
// service that has it, else spec.partitions (spec.databases in an
// unpartitioned catalog).
func (v *validator) partitionPointer(partition string) string {
	p := v.cat.Spec.Partitions
	if p == nil {
		return "/spec/databases"
	}
	if p.Label != "" {
		for i, s := range v.cat.Spec.Services {
			if s.Labels[p.Label] == partition {
				return fmt.Sprintf("/spec/services/%d/labels/%s", i, escapePointer(p.Label))
			}
		}
	}
	return "/spec/partitions"
}
