package scripts

// The PostgreSQL backup and restore scripts (generator postgres-backup,
// novagen restore). A backup is s3://<bucket>/<prefix>/<stamp>/ holding
// <database>.dump (pg_dump -Fc) per database, globals.sql (the roles,
// without passwords) and, written last, COMPLETE (the databases, one a
// line): a backup without it is incomplete, never restored from as the
// latest nor deleted by retention. Stamps are UTC times,
// 20261205T020000Z, so their order is their keys' order.
//
// The scripts read only these variables; database names are checked to be
// lower-case SQL identifiers (the catalog's rule) before they go near a
// file name or a command, and reach SQL only as psql variables.
const (
	EnvBackupDir       = "BACKUP_DIR"       // where the dump writes and the upload reads
	EnvBackupDatabases = "BACKUP_DATABASES" // databases to dump, space-separated
	EnvBackupRetention = "BACKUP_RETENTION" // complete backups kept
	EnvBackupStamp     = "BACKUP_STAMP"     // restore: a stamp, or latest
	EnvS3Endpoint      = "S3_ENDPOINT"      // https URL of the S3 server
	EnvS3Bucket        = "S3_BUCKET"
	EnvS3Prefix        = "S3_PREFIX"
	EnvS3PathStyle     = "S3_PATH_STYLE"     // true: path-style addressing
	EnvRestoreDir      = "RESTORE_DIR"       // where the download writes and the restore reads
	EnvRestoreDBs      = "RESTORE_DATABASES" // databases to restore, space-separated; empty: all (and the roles)
	EnvRestoreReplace  = "RESTORE_REPLACE"   // true: restore over the database (pg_restore --clean)
	EnvRestoreInto     = "RESTORE_INTO"      // the one database's target name; empty: <db>_restored, or itself with replace
)

// Files of a backup (and of the emptyDir the pods share).
const (
	BackupComplete  = "COMPLETE"
	BackupGlobals   = "globals.sql"
	BackupDatabases = "DATABASES" // the databases dumped (uploaded as COMPLETE)
	BackupStampFile = "STAMP"     // the dump's stamp, for the upload
	RestoredSuffix  = "_restored"
)

// identifierCheck defines valid_name NAME: a lower-case SQL identifier of
// at most 63 characters, the catalog's rule, so a name can be neither an
// option, a path, a connection string nor shell or SQL syntax.
const identifierCheck = `valid_name() {
  case "$1" in
    '' | [!a-z_]* | *[!a-z0-9_]*) return 1 ;;
  esac
  [ "${#1}" -le 63 ]
}
`

// BackupDump runs in the postgres image: pg_dump -Fc of every database of
// BACKUP_DATABASES and pg_dumpall --globals-only --no-role-passwords (the
// passwords live in the secret store, which the db-init Job and the
// password sync apply) into BACKUP_DIR/<stamp>/, then BACKUP_DIR/STAMP.
// PGDATABASE carries each name, so libpq never parses one as a
// connection string.
const BackupDump = `set -euf
umask 077
` + identifierCheck + `total=0
for db in ${BACKUP_DATABASES}; do
  if ! valid_name "${db}"; then
    echo "backup: refusing database name '${db}': not a lower-case SQL identifier" >&2
    exit 1
  fi
  total=$((total + 1))
done
if [ "${total}" -eq 0 ]; then
  echo "backup: no database to back up (BACKUP_DATABASES is empty)" >&2
  exit 1
fi
stamp=$(date -u +%Y%m%dT%H%M%SZ)
out="${BACKUP_DIR}/${stamp}"
mkdir -p "${out}"
: >"${out}/DATABASES"
n=0
for db in ${BACKUP_DATABASES}; do
  n=$((n + 1))
  if ! PGDATABASE="${db}" pg_dump -Fc -f "${out}/${db}.dump"; then
    echo "[${n}/${total}] ${db}: pg_dump failed" >&2
    exit 1
  fi
  echo "[${n}/${total}] ${db}: $(wc -c <"${out}/${db}.dump") bytes"
  printf '%s\n' "${db}" >>"${out}/DATABASES"
done
if ! pg_dumpall --globals-only --no-role-passwords -f "${out}/globals.sql"; then
  echo "backup: pg_dumpall --globals-only failed" >&2
  exit 1
fi
printf '%s\n' "${stamp}" >"${BACKUP_DIR}/STAMP"
echo "backup: ${total} databases and the roles dumped as ${stamp}"
`

// s3Prelude defines s3 and s3api (the AWS CLI against S3_ENDPOINT, with
// path-style addressing when S3_PATH_STYLE is true), base (the backups'
// s3:// URL) and complete_stamps (the complete backups' stamps, oldest
// first, space-separated). HOME is the pod's writable emptyDir.
const s3Prelude = `export AWS_CONFIG_FILE="${HOME}/aws-config"
if [ "${S3_PATH_STYLE:-false}" = true ]; then
  printf '[default]\ns3 =\n  addressing_style = path\n' >"${AWS_CONFIG_FILE}"
else
  : >"${AWS_CONFIG_FILE}"
fi
s3() { aws --endpoint-url "${S3_ENDPOINT}" s3 "$@"; }
s3api() { aws --endpoint-url "${S3_ENDPOINT}" s3api "$@"; }
base="s3://${S3_BUCKET}/${S3_PREFIX}"
valid_stamp() {
  case "$1" in
    [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z) return 0 ;;
  esac
  return 1
}
complete_stamps() {
  keys=$(s3api list-objects-v2 --bucket "${S3_BUCKET}" --prefix "${S3_PREFIX}/" \
    --query "Contents[?ends_with(Key, '/COMPLETE')].Key" --output text) || return 1
  found=""
  for key in ${keys}; do
    case "${key}" in
      "${S3_PREFIX}/"*/COMPLETE) ;;
      *) continue ;;
    esac
    s=${key#"${S3_PREFIX}/"}
    s=${s%/COMPLETE}
    if valid_stamp "${s}"; then
      found="${found}${s}
"
    fi
  done
  printf '%s' "${found}" | sort | tr '\n' ' '
}
`

// BackupUpload runs in the AWS CLI image after BackupDump: it uploads
// BACKUP_DIR/<stamp>/ to <base>/<stamp>/, then writes COMPLETE, then
// deletes the oldest complete backups beyond BACKUP_RETENTION (COMPLETE
// first, so an interrupted deletion leaves an incomplete backup, never a
// complete one missing a file). The newest is never deleted (retention is
// at least 1) and neither is an incomplete one.
const BackupUpload = `set -euf
` + s3Prelude + `read -r stamp <"${BACKUP_DIR}/STAMP"
if ! valid_stamp "${stamp}"; then
  echo "backup: no dump to upload (STAMP is '${stamp}')" >&2
  exit 1
fi
dir="${BACKUP_DIR}/${stamp}"
files="globals.sql"
while IFS= read -r db; do files="${files} ${db}.dump"; done <"${dir}/DATABASES"
for name in ${files}; do
  if ! s3 cp --only-show-errors "${dir}/${name}" "${base}/${stamp}/${name}"; then
    echo "backup: uploading ${name} to ${base}/${stamp}/ failed; the backup stays incomplete" >&2
    exit 1
  fi
done
if ! s3 cp --only-show-errors "${dir}/DATABASES" "${base}/${stamp}/COMPLETE"; then
  echo "backup: writing ${base}/${stamp}/COMPLETE failed; the backup stays incomplete" >&2
  exit 1
fi
echo "backup: ${stamp} complete at ${base}/${stamp}/"
if ! stamps=$(complete_stamps); then
  echo "backup: listing ${base}/ failed; no old backup deleted" >&2
  exit 1
fi
# shellcheck disable=SC2086 # the stamps are words; globbing is off
set -- ${stamps}
excess=$(($# - BACKUP_RETENTION))
while [ "${excess}" -gt 0 ]; do
  echo "backup: deleting ${1} (keeping the newest ${BACKUP_RETENTION})"
  s3 rm --only-show-errors "${base}/${1}/COMPLETE"
  s3 rm --only-show-errors --recursive "${base}/${1}/"
  shift
  excess=$((excess - 1))
done
echo "backup: $# complete backups kept"
`

// RestoreDownload runs in the AWS CLI image: it picks the backup
// (BACKUP_STAMP, or the newest complete one for latest), refuses one
// without COMPLETE, and downloads the dumps of RESTORE_DATABASES (every
// database of the backup, and globals.sql, when empty) into RESTORE_DIR,
// with the list in RESTORE_DIR/DATABASES.
const RestoreDownload = `set -euf
` + s3Prelude + identifierCheck + `stamp="${BACKUP_STAMP}"
if [ "${stamp}" = latest ]; then
  if ! stamps=$(complete_stamps); then
    echo "restore: listing ${base}/ failed" >&2
    exit 1
  fi
  stamp=""
  for s in ${stamps}; do stamp=${s}; done
  if [ -z "${stamp}" ]; then
    echo "restore: no complete backup under ${base}/" >&2
    exit 1
  fi
elif ! valid_stamp "${stamp}"; then
  echo "restore: backup '${stamp}' is no stamp such as 20261205T020000Z (or latest)" >&2
  exit 1
fi
if ! s3 cp --only-show-errors "${base}/${stamp}/COMPLETE" "${RESTORE_DIR}/COMPLETE"; then
  echo "restore: backup ${stamp} does not exist or is incomplete (no ${base}/${stamp}/COMPLETE)" >&2
  exit 1
fi
want="${RESTORE_DATABASES}"
if [ -z "${want}" ]; then
  while IFS= read -r db; do want="${want} ${db}"; done <"${RESTORE_DIR}/COMPLETE"
  s3 cp --only-show-errors "${base}/${stamp}/globals.sql" "${RESTORE_DIR}/globals.sql"
fi
: >"${RESTORE_DIR}/DATABASES"
for db in ${want}; do
  if ! valid_name "${db}"; then
    echo "restore: refusing database name '${db}': not a lower-case SQL identifier" >&2
    exit 1
  fi
  found=false
  while IFS= read -r have; do
    if [ "${have}" = "${db}" ]; then found=true; fi
  done <"${RESTORE_DIR}/COMPLETE"
  if [ "${found}" != true ]; then
    echo "restore: backup ${stamp} has no database ${db}; it has: $(tr '\n' ' ' <"${RESTORE_DIR}/COMPLETE")" >&2
    exit 1
  fi
  s3 cp --only-show-errors "${base}/${stamp}/${db}.dump" "${RESTORE_DIR}/${db}.dump"
  printf '%s\n' "${db}" >>"${RESTORE_DIR}/DATABASES"
done
printf '%s\n' "${stamp}" >"${RESTORE_DIR}/STAMP"
echo "restore: downloaded backup ${stamp}: $(tr '\n' ' ' <"${RESTORE_DIR}/DATABASES")"
`

// Restore runs in the postgres image after RestoreDownload: the roles
// first when the whole server is restored (globals.sql; a role that
// exists already makes psql report an error and go on), then each
// database with pg_restore in one transaction, into RESTORE_INTO (one
// database), itself with RESTORE_REPLACE=true (--clean --if-exists), or
// else a new database <db>_restored; a target that must be new and exists
// is an error. Names reach SQL only as psql variables.
const Restore = `set -euf
` + identifierCheck + `read -r stamp <"${RESTORE_DIR}/STAMP"
exists() {
  printf '%s\n' "SELECT 1 FROM pg_database WHERE datname = :'d';" |
    psql -X -q -t -A -v ON_ERROR_STOP=1 -v d="$1"
}
create() {
  printf '%s\n' 'CREATE DATABASE :"d";' | psql -X -q -v ON_ERROR_STOP=1 -v d="$1"
}
if [ -f "${RESTORE_DIR}/globals.sql" ]; then
  echo "restore: roles from globals.sql (errors for roles that exist already are expected)"
  psql -X -q -f "${RESTORE_DIR}/globals.sql" || true
fi
n=0
while IFS= read -r db; do
  n=$((n + 1))
  target="${db}_restored"
  if [ -n "${RESTORE_INTO}" ]; then
    target="${RESTORE_INTO}"
  elif [ "${RESTORE_REPLACE}" = true ]; then
    target="${db}"
  fi
  if ! valid_name "${db}" || ! valid_name "${target}"; then
    echo "restore: refusing '${db}' into '${target}': not lower-case SQL identifiers of at most 63 characters" >&2
    exit 1
  fi
  have=$(exists "${target}")
  clean=""
  if [ "${RESTORE_REPLACE}" = true ]; then
    clean="--clean --if-exists"
  elif [ -n "${have}" ]; then
    echo "restore: database ${target} exists already; drop it, restore into another (--into) or over it (--replace)" >&2
    exit 1
  fi
  if [ -z "${have}" ]; then
    create "${target}"
  fi
  # shellcheck disable=SC2086 # clean is options or nothing
  if ! pg_restore --exit-on-error --single-transaction ${clean} -d "${target}" "${RESTORE_DIR}/${db}.dump"; then
    echo "restore: ${db} into ${target} failed; nothing of it was applied (one transaction)" >&2
    exit 1
  fi
  echo "restore: [${n}] ${db} of backup ${stamp} restored into ${target}"
done <"${RESTORE_DIR}/DATABASES"
echo "restore: backup ${stamp}: ${n} databases restored"
`
