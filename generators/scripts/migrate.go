package scripts

// Environment variables of the migration scripts. sqlx itself reads
// DATABASE_URL (naming.EnvDatabaseURL), so the URL (and its password)
// never appears on a command line.
const (
	EnvMigrateStep    = "MIGRATE_STEP"    // 1-based position of the service
	EnvMigrateTotal   = "MIGRATE_TOTAL"   // number of services migrated
	EnvMigrateService = "MIGRATE_SERVICE" // the service, for the log
	EnvMigrateSource  = "MIGRATE_SOURCE"  // directory holding its migrations
)

// Migrate applies the pending SQLx migrations of one service and logs
// "[3/14] media-service: applied 2 migrations". The count is the number of
// "Applied <version>/..." lines sqlx prints, one per migration it ran. On
// failure it prints sqlx's output and names the service; migrations
// applied before the failure stay applied (sqlx records each one), so a
// retry resumes where this run stopped.
const Migrate = `set -eu
step="[${MIGRATE_STEP}/${MIGRATE_TOTAL}] ${MIGRATE_SERVICE}"
echo "${step}: migrating from ${MIGRATE_SOURCE}"
if ! out=$(sqlx migrate run --source "${MIGRATE_SOURCE}" 2>&1); then
  printf '%s\n' "${out}" >&2
  echo "${step}: sqlx migrate run failed" >&2
  exit 1
fi
if [ -n "${out}" ]; then
  printf '%s\n' "${out}"
fi
applied=$(printf '%s\n' "${out}" | grep -c '^Applied ' || true)
echo "${step}: applied ${applied} migrations"
`

// MigrationsDone is the Job's main container: it only runs once every
// service's init containers have succeeded, in catalog order.
const MigrationsDone = `set -eu
echo "migrations: all ${MIGRATE_TOTAL} services are up to date"
`
