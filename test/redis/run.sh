#!/usr/bin/env bash
# Entry point of `make redis-test`: the redis.conf and the cluster scripts
# that generator redis writes, on real redis-server 7 processes, and the
# redis_exporter of generator monitoring (built from the module proxy)
# scraping them.
#
#   test/redis/run.sh [go test flags...]
#
# The Go test in this directory starts every redis-server itself (through
# the generated start script, each in a private mount namespace with its
# directory at /data), on 127.0.0.x and ports it finds free in
# 20000-55000, never 6379 and never a server it did not start, with all
# files in one temporary directory that this script makes. On any exit,
# this script kills every process the test recorded as its own (by PID
# and start time) that still runs, and removes the directory.
#
# Needs (Debian): redis-server and redis-tools 7.x (redis-server,
# redis-cli), busybox (the scripts' shell), util-linux (setpriv: the
# scripts run as the pods' numeric UIDs; unshare and mount: /data), so
# root with CAP_SYS_ADMIN, and getent, timeout and awk (libc-bin,
# coreutils, mawk: the redis image has them too).
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"

for tool in redis-server redis-cli busybox setpriv unshare mount chroot getent timeout awk; do
	if ! command -v "$tool" >/dev/null; then
		echo "error: $tool not found; apt-get install redis-server redis-tools busybox util-linux" >&2
		exit 1
	fi
done
version="$(redis-server --version | sed -n 's/.* v=\([0-9][0-9.]*\).*/\1/p')"
if [[ "${version%%.*}" != 7 ]]; then
	echo "error: redis-server $version; the generated configuration is for Redis 7" >&2
	exit 1
fi

# redis_exporter at the version exporter/go.mod pins (the image's tag),
# built once from the module proxy into the cache: the exporter test
# runs it against the cluster.
exporter_version="$(awk '$1 == "github.com/oliver006/redis_exporter" {print $2}' "$script_dir/exporter/go.mod")"
exporter="${NOVAGEN_CACHE:-$HOME/.cache/novagen}/redis_exporter-$exporter_version/redis_exporter"
"$repo_root/hack/go-build-cached.sh" "$exporter" "$script_dir/exporter" github.com/oliver006/redis_exporter -trimpath

tmp="$(mktemp -d "${TMPDIR:-/tmp}/novagen-redis.XXXXXX")"
chmod 755 "$tmp" # the pods' UIDs must reach their directories below it

# ours lists the processes the test started and that still run: it
# records each in pids/<pid> with its start time (field 22 of
# /proc/<pid>/stat), so a PID since used again is not ours.
ours() {
	local f pid stat fields
	for f in "$tmp"/pids/*; do
		[[ -f "$f" ]] || continue
		pid="${f##*/}"
		stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
		read -ra fields <<<"${stat##*) }" # from field 3 on
		if [[ "${fields[19]:-}" == "$(cat "$f")" ]]; then
			echo "$pid"
		fi
	done
}

cleanup() {
	local rc=$? pids
	pids="$(ours)"
	if [[ -n "$pids" ]]; then
		echo "redis-test: stopping leftover processes: ${pids//$'\n'/ }" >&2
		# shellcheck disable=SC2086 # one argument per pid
		kill -KILL $pids 2>/dev/null || true
	fi
	rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "redis-test: redis-server $version, redis-cli $(redis-cli --version | awk '{print $2}'), files in $tmp"
cd "$repo_root"
NOVAGEN_REDIS_TEST=1 NOVAGEN_REDIS_TEST_DIR="$tmp" NOVAGEN_REDIS_EXPORTER="$exporter" go test -count=1 -v "$@" ./test/redis/
