// Package scripts is the one place where novagen writes shell. Scripts are
// constants: every value from the catalog reaches them through environment
// variables, never by text substitution, so nothing in services.yaml can
// inject shell. Tests run them with busybox sh and check them with
// shellcheck.
package scripts

import "strings"

// Environment variables the wait scripts read.
const (
	EnvName     = "WAIT_NAME"
	EnvHost     = "WAIT_HOST"
	EnvPort     = "WAIT_PORT"
	EnvRetries  = "WAIT_RETRIES"
	EnvInterval = "WAIT_INTERVAL_SECONDS"
)

// waitLoop tries CHECK up to WAIT_RETRIES times, WAIT_INTERVAL_SECONDS
// apart, logging every try, and fails after the last.
const waitLoop = `set -eu
try=1
while :; do
  if CHECK; then
    echo "wait-for-${WAIT_NAME}: ${WAIT_HOST}:${WAIT_PORT} is ready (try ${try}/${WAIT_RETRIES})"
    exit 0
  fi
  if [ "${try}" -ge "${WAIT_RETRIES}" ]; then
    echo "wait-for-${WAIT_NAME}: ${WAIT_HOST}:${WAIT_PORT} not ready after ${WAIT_RETRIES} tries, giving up" >&2
    exit 1
  fi
  echo "wait-for-${WAIT_NAME}: ${WAIT_HOST}:${WAIT_PORT} not ready (try ${try}/${WAIT_RETRIES}), retrying in ${WAIT_INTERVAL_SECONDS}s"
  try=$((try + 1))
  sleep "${WAIT_INTERVAL_SECONDS}"
done
`

// WaitForTCP waits until a TCP port accepts connections (busybox nc).
var WaitForTCP = strings.Replace(waitLoop, "CHECK", `nc -z -w 2 "${WAIT_HOST}" "${WAIT_PORT}"`, 1)

// WaitForPostgres waits until PostgreSQL accepts connections (pg_isready
// from the postgres image: a listening socket is not yet a ready server).
var WaitForPostgres = strings.Replace(waitLoop, "CHECK", `pg_isready -q -t 2 -h "${WAIT_HOST}" -p "${WAIT_PORT}"`, 1)
