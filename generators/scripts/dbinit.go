package scripts

// EnvSQLDir is the directory RunSQLFiles runs the *.sql files of.
const EnvSQLDir = "SQL_DIR"

// RunSQLFiles runs every *.sql file in SQL_DIR with psql, in name order,
// each in a session of its own (as docker-entrypoint-initdb.d does), and
// stops at the first error. psql connects with the standard PG*
// variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE); -X keeps any
// psqlrc out, ON_ERROR_STOP makes the first failed statement fatal.
const RunSQLFiles = `set -eu
total=0
for f in "${SQL_DIR}"/*.sql; do
  if [ ! -e "${f}" ]; then
    echo "db-init: no *.sql file in ${SQL_DIR}" >&2
    exit 1
  fi
  total=$((total + 1))
done
n=0
for f in "${SQL_DIR}"/*.sql; do
  n=$((n + 1))
  echo "[${n}/${total}] ${f##*/}"
  if ! psql -X -v ON_ERROR_STOP=1 -f "${f}"; then
    echo "[${n}/${total}] ${f##*/} failed; every script is idempotent: fix the cause and run the Job again" >&2
    exit 1
  fi
done
echo "db-init: ${total} scripts applied to ${PGHOST}:${PGPORT}"
`
