#!/usr/bin/env bash
# Exercises the embedded path on a machine that has PostgreSQL and Redis (issue #21; .ci/run calls it): hides them
# by pointing the usual ports (PG_PORT, REDIS_PORT) at unused ones, with DB_URL and REDIS_URL unset, then
#   1. runs README command 1 until the demo jobs' results are shown, and stops it (what it started must be gone);
#      its Redis is the packaged redis-server (COURIER_REDIS_SERVER=packaged), not the PATH's;
#   2. runs one test class (Docker hidden too), whose services must then be the suite's own.
# Fails naming the step. Nothing of the machine's own services is touched.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/jdk.sh
source deploy/lib/jdk.sh

HIDDEN_PG_PORT=${HIDDEN_PG_PORT:-15432}
HIDDEN_REDIS_PORT=${HIDDEN_REDIS_PORT:-16379}
# Not command 1's defaults (5433 is often a second Debian cluster): ports nothing else is likely to use.
EMBEDDED_PG_PORT=${EMBEDDED_PG_PORT:-15433}
EMBEDDED_REDIS_PORT=${EMBEDDED_REDIS_PORT:-16380}
LOG=$ROOT/.run/embedded-check
mkdir -p "$LOG"

say() { echo "[embedded-check] $*"; }
fail() { say "FAILED: $*"; exit 1; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

for port in "$HIDDEN_PG_PORT" "$HIDDEN_REDIS_PORT" "$EMBEDDED_PG_PORT" "$EMBEDDED_REDIS_PORT"; do
  port_open "$port" && fail "port $port is in use: choose free ones with HIDDEN_PG_PORT/HIDDEN_REDIS_PORT/EMBEDDED_*_PORT"
done
unset DB_URL REDIS_URL
export PG_PORT=$HIDDEN_PG_PORT REDIS_PORT=$HIDDEN_REDIS_PORT EMBEDDED_PG_PORT EMBEDDED_REDIS_PORT

say "1. command 1 with PostgreSQL and Redis hidden (PG_PORT=$PG_PORT, REDIS_PORT=$REDIS_PORT)"
COURIER_REDIS_SERVER=packaged deploy/courier-local.sh > "$LOG/command-1.log" 2>&1 &
up=$!
# However this script ends (a failed check, Ctrl-C, CI cancelling it), command 1 and what it started stop.
finish() { kill -TERM "$up" 2>/dev/null || true; wait "$up" 2>/dev/null || true; deploy/courier-local.sh stop > /dev/null 2>&1 || true; }
trap finish EXIT
trap 'exit 130' INT TERM HUP
waited=0   # ends when the demo's results are shown, when command 1 exits, or after 10 minutes
until grep -q "Courier is running" "$LOG/command-1.log"; do
  kill -0 "$up" 2>/dev/null || { tail -30 "$LOG/command-1.log"; fail "command 1 exited before it was running"; }
  [ "$waited" -ge 600 ] && { tail -30 "$LOG/command-1.log"; fail "command 1 not running after 10 min"; }
  sleep 1; waited=$((waited + 1))
done
grep "PostgreSQL: \|Redis: " "$LOG/command-1.log" || true
deploy/courier-local.sh stop > "$LOG/stop.log" 2>&1
finish
grep -q "PostgreSQL: embedded on :$EMBEDDED_PG_PORT" "$LOG/command-1.log" || fail "command 1 did not start an embedded PostgreSQL"
grep -q "Redis: embedded on :$EMBEDDED_REDIS_PORT (.*redis-server-7.0.15" "$LOG/command-1.log" \
  || fail "command 1 did not start the packaged Redis"
results=$(grep -c '"status":"SUCCEEDED"' "$LOG/command-1.log" || true)
[ "$results" -ge 4 ] || fail "command 1 showed $results succeeded demo jobs, not 4 (see $LOG/command-1.log)"
grep -q '"status":"DEAD_LETTERED"' "$LOG/command-1.log" || fail "command 1 did not show the invalid demo job's dead letter"
for port in "$EMBEDDED_PG_PORT" "$EMBEDDED_REDIS_PORT" 8080; do
  port_open "$port" && fail "port $port still answers after command 1 stopped"
done
say "command 1: $results demo jobs succeeded, the invalid one dead-lettered; everything it started is stopped"

say "2. a test class with PostgreSQL and Redis hidden"
run_test() {
  DOCKER_HOST=unix:///nonexistent ./mvnw -B test -Dtest='OutcomeStoreTest' -Dsurefire.failIfNoSpecifiedTests=false > "$1" 2>&1
}
# Once (2026-12-03) the test JVM exited non-zero after all its tests had passed ("Error occurred in starting fork",
# no dump; cause not found: the in-JVM broker and the embedded PostgreSQL both stop as the JVM ends). Such a run is
# tried once more, saying so; failed tests, or a second such exit, fail the check.
if ! run_test "$LOG/test.log"; then
  grep -qE "Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: 0$" "$LOG/test.log" \
    && grep -q "Error occurred in starting fork" "$LOG/test.log" \
    || { grep -E "Tests run|FAIL|ERROR" "$LOG/test.log" | head -20; fail "the test class failed (see $LOG/test.log)"; }
  say "the test JVM exited non-zero after its tests passed (kept in $LOG/test-1.log): running it once more"
  mv "$LOG/test.log" "$LOG/test-1.log"
  run_test "$LOG/test.log" || { grep -E "Tests run|FAIL|ERROR" "$LOG/test.log" | head -20; fail "the test class failed again (see $LOG/test.log)"; }
fi
grep -q "test PostgreSQL: started by the suite" "$LOG/test.log" || fail "the tests did not use an embedded PostgreSQL"
grep -q "test Redis: started by the suite" "$LOG/test.log" || fail "the tests did not use an embedded Redis"
grep -E "Tests run: [0-9]+, Failures: 0, Errors: 0, Skipped: 0$" "$LOG/test.log" | tail -1 \
  || fail "the test class skipped tests (see $LOG/test.log)"
say "passed: command 1 and the tests ran on embedded PostgreSQL and Redis"
