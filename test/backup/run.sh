#!/usr/bin/env bash
# Entry point of `make backup-test`: the PostgreSQL backup CronJob and the
# restore Job that novagen renders, their scripts run as the pods' numeric
# UID against a real, throwaway PostgreSQL 15 (test/postgres/server.sh) and
# a real S3-compatible server run here: versitygw (its posix backend over
# HTTPS with a self-signed certificate for localhost, as the pods'
# AWS_CA_BUNDLE), built once into the cache (build-versitygw.sh).
#
#   test/backup/run.sh [go test flags...]
#
# Runs the TestBackup* tests of test/postgres against both, then stops and
# removes everything. Needs (Debian): postgresql-15, busybox, openssl,
# util-linux (setpriv) and an AWS CLI the pods' UID can run (the Debian
# awscli package: apt-get install awscli; one under /root is unreadable to
# it).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
pod_uid=10001 # defaults.runAsUser, the UID the backup pods run as

versitygw="$("$script_dir/build-versitygw.sh" | tail -n 1)"

# The first aws on PATH that the pods' UID can run.
aws_dir=""
while read -r candidate; do
	if setpriv --reuid=$pod_uid --regid=$pod_uid --clear-groups -- env -i HOME=/tmp PATH=/usr/bin:/bin "$candidate" --version >/dev/null 2>&1; then
		aws_dir="$(dirname "$candidate")"
		break
	fi
done < <(type -ap aws; [[ -x /usr/bin/aws ]] && echo /usr/bin/aws)
if [[ -z "$aws_dir" ]]; then
	echo "error: no AWS CLI that UID $pod_uid can run (one under /root is not readable to it): apt-get install awscli" >&2
	exit 1
fi

# shellcheck source=../postgres/server.sh
source "$script_dir/../postgres/server.sh"
s3_pid=""
on_exit() {
	if [[ -n "$s3_pid" ]]; then
		kill "$s3_pid" 2>/dev/null || true
		wait "$s3_pid" 2>/dev/null || true
	fi
	if [[ $1 -ne 0 && -f "$tmp/versitygw.log" ]]; then
		echo "--- versitygw log (last 20 lines) ---" >&2
		tail -n 20 "$tmp/versitygw.log" >&2 || true
	fi
}
start_postgres backup-test

# The S3 server: a certificate for localhost (the endpoint's host name),
# random keys, a bucket as a directory of the posix backend's root.
mkdir -p "$tmp/s3/root/backups"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/s3/key.pem" -out "$tmp/s3/cert.pem" -days 2 \
	-subj /CN=localhost -addext "subjectAltName=DNS:localhost" >/dev/null 2>&1
chmod 644 "$tmp/s3/cert.pem"
access_key="novagen$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
secret_key="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
s3_port="$(free_port)"
"$versitygw" --access "$access_key" --secret "$secret_key" --region us-east-1 --port "127.0.0.1:$s3_port" \
	--cert "$tmp/s3/cert.pem" --key "$tmp/s3/key.pem" posix "$tmp/s3/root" >"$tmp/versitygw.log" 2>&1 &
s3_pid=$!
for _ in $(seq 1 100); do
	if (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null; then
		break
	fi
	kill -0 "$s3_pid" 2>/dev/null || { cat "$tmp/versitygw.log" >&2; exit 1; }
	sleep 0.1
done
echo "backup-test: versitygw on https://localhost:$s3_port (root $tmp/s3/root), aws in $aws_dir"

cd "$repo_root"
PATH="$pg_bin:$PATH" \
	NOVAGEN_POSTGRES_TEST=1 NOVAGEN_BACKUP_TEST=1 \
	PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$admin_password" PGDATABASE=postgres \
	NOVAGEN_S3_ENDPOINT="https://localhost:$s3_port" NOVAGEN_S3_BUCKET=backups NOVAGEN_S3_CA="$tmp/s3/cert.pem" \
	NOVAGEN_S3_ACCESS_KEY="$access_key" NOVAGEN_S3_SECRET_KEY="$secret_key" NOVAGEN_AWS_DIR="$aws_dir" \
	go test -count=1 -v -run 'TestBackup' "$@" ./test/postgres/
