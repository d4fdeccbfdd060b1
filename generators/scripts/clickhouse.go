package scripts

import "github.com/novagen/novagen/naming"

// Environment of ClickHouseSchema: the names services get too. The login
// comes from a Secret; the rest from the catalog.
const (
	EnvClickHouseHost     = naming.EnvClickHouseHost
	EnvClickHousePort     = naming.EnvClickHousePort // the native protocol
	EnvClickHouseUser     = naming.EnvClickHouseUser
	EnvClickHousePassword = naming.EnvClickHousePassword
	EnvClickHouseDatabase = naming.EnvClickHouseDatabase
	EnvSchemaDir          = "SCHEMA_DIR" // the mounted DDL ConfigMap
)

// Names of the DDL files in the schema directory: the database first,
// then one file per table, table-<name>.sql, in name order.
const (
	ClickHouseDatabaseFile = "database.sql"
	ClickHouseTablePrefix  = "table-"
	ClickHouseTableSuffix  = ".sql"
)

// ClickHouseSchema waits until ClickHouse answers (WAIT_RETRIES tries,
// WAIT_INTERVAL_SECONDS apart), then applies the mounted DDL with
// clickhouse-client: database.sql, then every table-<name>.sql, each
// statement CREATE … IF NOT EXISTS, so a rerun changes nothing. It logs
// one line per table: created, or already there and left as it is (a
// table that exists is never altered: change it with a migration).
//
// Catalog values arrive only as environment variables and files; the
// table name in a log line comes from the file name, which the catalog
// restricts to [a-z0-9_]. The password is an argument of
// clickhouse-client only (the pod runs nothing else), never printed.
const ClickHouseSchema = `set -eu
ch() {
  clickhouse-client --host "$CLICKHOUSE_HOST" --port "$CLICKHOUSE_PORT" \
    --user "$CLICKHOUSE_USER" --password "$CLICKHOUSE_PASSWORD" "$@"
}
i=1
until ch --query 'SELECT 1' >/dev/null 2>&1; do
  if [ "$i" -ge "$WAIT_RETRIES" ]; then
    echo "clickhouse at $CLICKHOUSE_HOST:$CLICKHOUSE_PORT did not answer after $WAIT_RETRIES tries" >&2
    exit 1
  fi
  i=$((i + 1))
  sleep "$WAIT_INTERVAL_SECONDS"
done
ch --queries-file "$SCHEMA_DIR/database.sql"
echo "database $CLICKHOUSE_DATABASE: ready (after $i tries)"
n=0
for f in "$SCHEMA_DIR"/table-*.sql; do
  [ -e "$f" ] || continue
  table=${f##*/table-}
  table=${table%.sql}
  had=$(ch --param_db="$CLICKHOUSE_DATABASE" --param_table="$table" \
    --query 'SELECT count() FROM system.tables WHERE database = {db:String} AND name = {table:String}')
  if ! ch --queries-file "$f"; then
    echo "table $CLICKHOUSE_DATABASE.$table: failed" >&2
    exit 1
  fi
  if [ "$had" = 0 ]; then
    echo "table $CLICKHOUSE_DATABASE.$table: created"
  else
    echo "table $CLICKHOUSE_DATABASE.$table: exists, left as it is"
  fi
  n=$((n + 1))
done
echo "schema of $CLICKHOUSE_DATABASE applied: $n tables"
`
