#!/usr/bin/env bash
# Entry point of `make postgres-test`: the SQL that generator db-init
# writes, run by psql against a real, throwaway PostgreSQL 15.
#
#   test/postgres/run.sh [go test flags...]
#
# Starts a new cluster on 127.0.0.1 and a free port (server.sh), runs the
# Go test in this directory against it, and stops and removes it on any
# exit.
#
# Needs (Debian): postgresql-15 (initdb, pg_ctl, postgres, psql, and the
# uuid-ossp and pgcrypto extensions) and busybox (the Job's shell).
# Env: PG_BIN (default /usr/lib/postgresql/15/bin), PG_TEST_USER (default
# postgres, used when running as root).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
# shellcheck source=server.sh
source "$script_dir/server.sh"
start_postgres postgres-test

cd "$repo_root"
PATH="$pg_bin:$PATH" \
	NOVAGEN_POSTGRES_TEST=1 \
	PGHOST=127.0.0.1 PGPORT="$port" PGUSER=postgres PGPASSWORD="$admin_password" PGDATABASE=postgres \
	go test -count=1 -v "$@" ./test/postgres/
