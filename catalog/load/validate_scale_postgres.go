package load

import "fmt"

// Loader limits on the catalog parts that size one group's objects (the
// group sizes, dbinit.DatabasesPerInitGroup and
// migrations.ServicesPerMigrationGroup, are measured at these):
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
