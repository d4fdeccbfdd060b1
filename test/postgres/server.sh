# shellcheck shell=bash
# Sourced by the harnesses that need a real, throwaway PostgreSQL 15
# (test/postgres/run.sh, test/backup/run.sh):
#
#   source test/postgres/server.sh
#   start_postgres NAME   # sets pg_bin, tmp, data, port, admin_password
#
# starts a new cluster (initdb + pg_ctl) in a temporary directory, on
# 127.0.0.1 and a free port, as a non-root user (PostgreSQL refuses to run
# as root; as root this uses the `postgres` user the Debian package
# creates), and stops and removes it on any exit (an EXIT trap that runs
# the caller's on_exit function too, if it defines one). It never touches
# a cluster the package may have started on 5432.
#
# Needs (Debian): postgresql-15. Env: PG_BIN (default
# /usr/lib/postgresql/15/bin), PG_TEST_USER (default postgres, used when
# running as root).

pg_bin="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# free_port prints a TCP port of 127.0.0.1 nothing listens on: bash's
# /dev/tcp connects if one does.
free_port() {
	local candidate
	for _ in $(seq 1 50); do
		candidate=$((20000 + RANDOM % 30000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
			echo "$candidate"
			return 0
		fi
	done
	echo "error: no free port found" >&2
	return 1
}

start_postgres() {
	local name=$1 tool
	for tool in initdb pg_ctl postgres psql; do
		if [[ ! -x "$pg_bin/$tool" ]]; then
			echo "error: $pg_bin/$tool not found; install PostgreSQL 15: apt-get install postgresql-15" >&2
			exit 1
		fi
	done
	# PostgreSQL will not run as root; the server and its files belong to an
	# unprivileged user, the test itself runs as whoever called the script.
	as_pg=()
	if [[ "$(id -u)" -eq 0 ]]; then
		pg_user="${PG_TEST_USER:-postgres}"
		if ! id "$pg_user" >/dev/null 2>&1; then
			echo "error: running as root but user $pg_user does not exist (set PG_TEST_USER)" >&2
			exit 1
		fi
		as_pg=(runuser -u "$pg_user" --)
	fi

	tmp="$(mktemp -d "${TMPDIR:-/tmp}/novagen-pg.XXXXXX")"
	data="$tmp/data"
	trap _stop_postgres EXIT
	trap 'exit 130' INT TERM

	# A fresh random admin password, handed to initdb in a file only the
	# server's user can read.
	admin_password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
	(umask 077 && printf '%s\n' "$admin_password" >"$tmp/pwfile")
	if [[ ${#as_pg[@]} -gt 0 ]]; then
		chown -R "$pg_user" "$tmp"
	fi
	port="$(free_port)"

	# The server's user may not be able to read the caller's directory.
	(cd "$tmp" && "${as_pg[@]}" "$pg_bin/initdb" -D "$data" -U postgres --pwfile="$tmp/pwfile" \
		--auth=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 --no-instructions >"$tmp/initdb.log" 2>&1) ||
		{ cat "$tmp/initdb.log" >&2; exit 1; }
	(cd "$tmp" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -l "$tmp/server.log" -w -t 60 \
		-o "-c listen_addresses=127.0.0.1 -p $port -k $tmp -c fsync=off" start >/dev/null)
	echo "$name: PostgreSQL $("$pg_bin/postgres" -V | awk '{print $3}') on 127.0.0.1:$port (data $data)"
}

_stop_postgres() {
	local rc=$?
	if declare -F on_exit >/dev/null; then
		on_exit "$rc" || true
	fi
	if [[ -f "$data/postmaster.pid" ]]; then
		"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$data" -m immediate -w stop >/dev/null 2>&1 || true
	fi
	if [[ $rc -ne 0 && -f "$tmp/server.log" ]]; then
		echo "--- server log (last 40 lines) ---" >&2
		tail -n 40 "$tmp/server.log" >&2 || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
