#!/usr/bin/env bash
# README command 1: runs Courier locally with everything it needs.
#   deploy/courier-local.sh [up]   Kafka broker + topics; PostgreSQL and Redis (DB_URL / REDIS_URL, else the running
#                                  ones on PG_PORT / REDIS_PORT, else embedded ones it starts); builds and starts
#                                  Courier with the built-in LinkedIn simulator, connects a demo account, publishes
#                                  demo jobs, shows their results, then stays in the foreground (Ctrl-C stops what
#                                  it started).
#   deploy/courier-local.sh stop   stops Courier and what an earlier 'up' started (broker, embedded PostgreSQL and
#                                  Redis), nothing else.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/jdk.sh
source deploy/lib/jdk.sh

RUN=$ROOT/.run
HTTP_PORT=${HTTP_PORT:-8080}
SIM_PORT=${COURIER_SIMULATOR_PORT:-8090}
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}
# Where PostgreSQL and Redis usually answer, and the ports of the embedded ones started when nothing does there.
PG_PORT=${PG_PORT:-5432}
REDIS_PORT=${REDIS_PORT:-6379}
EMBEDDED_PG_PORT=${EMBEDDED_PG_PORT:-5433}
EMBEDDED_REDIS_PORT=${EMBEDDED_REDIS_PORT:-6380}
export DB_USER=${DB_USER:-postgres}
export DB_PASSWORD=${DB_PASSWORD:-}
JAR=$ROOT/target/quarkus-app/quarkus-run.jar
KAFKA_LIBS=${COURIER_CACHE:-$HOME/.cache/courier}/kafka-4.1.2/libs
mkdir -p "$RUN"

say() { echo "[courier] $*"; }
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }   # host port
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }   # flat string fields of one-line JSON

# stop_pid NAME FILE [SECONDS]: stops the process whose pid FILE holds (TERM, then KILL after SECONDS, default 20)
# and removes FILE.
stop_pid() {
  [ -f "$2" ] || return 0
  local pid; pid=$(cat "$2")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 $((${3:-20} * 10))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    say "$1 stopped (pid $pid)"
  fi
  rm -f "$2"
}

TAIL_PID=""
stop_all() {
  [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null || true
  stop_pid Courier "$RUN/courier.pid" 30   # its drain (courier.worker.drain-timeout) fits in 30 s
  if [ -f "$RUN/pg.pid" ]; then
    stop_pid "embedded PostgreSQL" "$RUN/pg.pid" 30
    # Its JVM stops the server; a JVM that was killed leaves it running: stop it by its own pid file (fast shutdown).
    local postmaster; postmaster=$(head -1 "$RUN/pg/postmaster.pid" 2>/dev/null || true)
    if [ -n "$postmaster" ] && kill -0 "$postmaster" 2>/dev/null; then
      kill -INT "$postmaster"
      for _ in $(seq 1 100); do kill -0 "$postmaster" 2>/dev/null || break; sleep 0.1; done
      say "embedded PostgreSQL server stopped (pid $postmaster)"
    fi
  fi
  stop_pid "embedded Redis" "$RUN/redis.pid"
  if [ -f "$RUN/broker.started-by-courier-local" ]; then
    deploy/kafka-broker.sh stop
    rm -f "$RUN/broker.started-by-courier-local"
  fi
}

# The test classpath (target/test-classes and its jars), where the embedded servers' starters and binaries are.
test_classpath() {
  if [ ! -s "$RUN/test.classpath" ] || [ pom.xml -nt "$RUN/test.classpath" ]; then
    ./mvnw -q -B dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$RUN/test.classpath" > /dev/null
  fi
  echo "$ROOT/target/test-classes:$(cat "$RUN/test.classpath")"
}

# wait_port NAME PORT PIDFILE LOG: until PORT answers; gives up after 60 s or when the process exits.
wait_port() {
  local waited=0
  until port_open 127.0.0.1 "$2"; do
    if ! kill -0 "$(cat "$3")" 2>/dev/null || [ "$waited" -ge 600 ]; then
      say "$1 did not start; last lines of $4:"; tail -20 "$4" >&2; stop_pid "$1" "$3" 5; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
}

# PostgreSQL: DB_URL, else the one on PG_PORT, else an embedded PostgreSQL 15 (zonky's binaries from Maven Central).
postgres() {
  if [ -n "${DB_URL:-}" ]; then
    say "PostgreSQL: from DB_URL ($DB_URL)"; export DB_URL; return
  fi
  if port_open 127.0.0.1 "$PG_PORT"; then
    export DB_URL=jdbc:postgresql://127.0.0.1:$PG_PORT/courier
    if command -v psql > /dev/null && [ "$(psql -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" -tAc \
         "select 1 from pg_database where datname='courier'")" != "1" ]; then
      createdb -h 127.0.0.1 -p "$PG_PORT" -U "$DB_USER" courier && say "created PostgreSQL database 'courier'"
    fi
    say "PostgreSQL: the one running on :$PG_PORT"; return
  fi
  if port_open 127.0.0.1 "$EMBEDDED_PG_PORT"; then
    say "PostgreSQL: nothing on :$PG_PORT and :$EMBEDDED_PG_PORT is taken; set DB_URL or EMBEDDED_PG_PORT"; return 1
  fi
  local classpath; classpath=$(test_classpath)   # before the start: its first Maven run is not the server's time
  EMBEDDED_PG_PASSWORD=$EMBEDDED_PG_PASSWORD "$JAVA_HOME/bin/java" \
    -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$classpath" \
    io.courier.testkit.EmbeddedPostgres "$EMBEDDED_PG_PORT" "$RUN/pg" courier > "$RUN/pg.log" 2>&1 &
  echo $! > "$RUN/pg.pid"
  wait_port "embedded PostgreSQL" "$EMBEDDED_PG_PORT" "$RUN/pg.pid" "$RUN/pg.log" || return 1
  local waited=0   # the port answers before the database is created; "ready on" comes after (or the JVM exits)
  until grep -q "ready on" "$RUN/pg.log"; do
    if ! kill -0 "$(cat "$RUN/pg.pid")" 2>/dev/null || [ "$waited" -ge 300 ]; then
      say "embedded PostgreSQL did not get ready; last lines of $RUN/pg.log:"; tail -20 "$RUN/pg.log" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  export DB_URL=jdbc:postgresql://127.0.0.1:$EMBEDDED_PG_PORT/courier DB_USER=postgres DB_PASSWORD=$EMBEDDED_PG_PASSWORD
  say "PostgreSQL: embedded on :$EMBEDDED_PG_PORT, data in .run/pg (user postgres, password in .run/secrets.env; log .run/pg.log)"
}

# Redis: REDIS_URL, else the one on REDIS_PORT, else redis-server (the PATH's, else the static build org.signal's
# embedded-redis packages on Maven Central) started here.
redis() {
  if [ -n "${REDIS_URL:-}" ]; then
    say "Redis: from REDIS_URL"; export REDIS_URL; return
  fi
  if port_open 127.0.0.1 "$REDIS_PORT"; then
    export REDIS_URL=redis://127.0.0.1:$REDIS_PORT; say "Redis: the one running on :$REDIS_PORT"; return
  fi
  if port_open 127.0.0.1 "$EMBEDDED_REDIS_PORT"; then
    say "Redis: nothing on :$REDIS_PORT and :$EMBEDDED_REDIS_PORT is taken; set REDIS_URL or EMBEDDED_REDIS_PORT"; return 1
  fi
  local classpath binary; classpath=$(test_classpath)
  binary=$("$JAVA_HOME/bin/java" -cp "$classpath" io.courier.testkit.EmbeddedRedis "$RUN")
  # The password through standard input ("-": read the configuration from it), not the command line ps shows.
  echo "requirepass $EMBEDDED_REDIS_PASSWORD" | "$binary" - --port "$EMBEDDED_REDIS_PORT" --bind 127.0.0.1 --save "" \
    --appendonly no > "$RUN/redis.log" 2>&1 &
  echo $! > "$RUN/redis.pid"
  wait_port "embedded Redis" "$EMBEDDED_REDIS_PORT" "$RUN/redis.pid" "$RUN/redis.log" || return 1
  export REDIS_URL=redis://:$EMBEDDED_REDIS_PASSWORD@127.0.0.1:$EMBEDDED_REDIS_PORT
  say "Redis: embedded on :$EMBEDDED_REDIS_PORT ($binary; password in .run/secrets.env; log .run/redis.log)"
}

local_secrets() {
  if [ ! -f "$RUN/secrets.env" ]; then
    ( umask 077
      { echo "COURIER_TOKEN_KEY=$(head -c 32 /dev/urandom | base64)"
        echo "COURIER_TOKEN_KEY_ID=local-1"
        echo "COURIER_ADMIN_TOKEN=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"; } > "$RUN/secrets.env" )
    say "generated local secrets in $RUN/secrets.env (token key and admin token; local use only)"
  fi
  if ! grep -q '^COURIER_CONNECT_LINK_KEY=' "$RUN/secrets.env"; then
    echo "COURIER_CONNECT_LINK_KEY=$(head -c 32 /dev/urandom | base64)" >> "$RUN/secrets.env"
  fi
  # The embedded servers' passwords (other users of this machine may reach 127.0.0.1). .run/pg keeps the first.
  if ! grep -q '^EMBEDDED_PG_PASSWORD=' "$RUN/secrets.env"; then
    { echo "EMBEDDED_PG_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"
      echo "EMBEDDED_REDIS_PASSWORD=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')"; } >> "$RUN/secrets.env"
  fi
  set -a; source "$RUN/secrets.env"; set +a
}

start_courier() {
  if [ -f "$RUN/courier.pid" ] && kill -0 "$(cat "$RUN/courier.pid")" 2>/dev/null; then
    say "Courier is already running (pid $(cat "$RUN/courier.pid")); stop it with: deploy/courier-local.sh stop"; exit 1
  fi
  # Traces go to a local OTLP collector when one listens on 4317 (Jaeger, Grafana Tempo, the OTel Collector).
  if [ -z "${QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT:-}" ] && (exec 3<>/dev/tcp/127.0.0.1/4317) 2>/dev/null; then
    export QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4317
  fi
  QUARKUS_PROFILE=sim HTTP_PORT=$HTTP_PORT COURIER_SIMULATOR_PORT=$SIM_PORT \
    nohup "$JAVA_HOME/bin/java" -jar "$JAR" > "$RUN/courier.log" 2>&1 &
  echo $! > "$RUN/courier.pid"
  local waited=0
  until curl -fs "http://localhost:$HTTP_PORT/q/health/ready" > /dev/null; do
    if ! kill -0 "$(cat "$RUN/courier.pid")" 2>/dev/null || [ "$waited" -ge 900 ]; then
      say "Courier did not become ready; last lines of $RUN/courier.log:"; tail -40 "$RUN/courier.log" >&2
      stop_all; exit 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  say "Courier ready on http://localhost:$HTTP_PORT (pid $(cat "$RUN/courier.pid"), log $RUN/courier.log)"
}

connect_demo_account() {
  local member access access_exp refresh refresh_exp urn
  member=$(curl -fs -X POST "http://127.0.0.1:$SIM_PORT/sim/members" -H 'Content-Type: application/json' \
    -d '{"name":"Demo Member","adminOf":["urn:li:organization:5515715"]}')
  access=$(echo "$member" | json_field accessToken)
  access_exp=$(echo "$member" | json_field accessTokenExpiresAt)
  refresh=$(echo "$member" | json_field refreshToken)
  refresh_exp=$(echo "$member" | json_field refreshTokenExpiresAt)
  DEMO_URN=$(echo "$member" | json_field memberUrn)
  curl -fs -o /dev/null -X PUT "http://localhost:$HTTP_PORT/admin/accounts/demo-account/tokens" \
    -H "Authorization: Bearer $COURIER_ADMIN_TOKEN" -H 'Content-Type: application/json' \
    -d "{\"accessToken\":\"$access\",\"accessTokenExpiresAt\":\"$access_exp\",\"refreshToken\":\"$refresh\",\
\"refreshTokenExpiresAt\":\"$refresh_exp\",\"scopes\":[\"openid\",\"profile\",\"email\",\"w_member_social\",\
\"r_organization_social\",\"rw_organization_admin\"],\"memberUrn\":\"$DEMO_URN\"}"
  say "demo account connected (simulator member $DEMO_URN); as Courier shows it:"
  curl -fs -H "Authorization: Bearer $COURIER_ADMIN_TOKEN" "http://localhost:$HTTP_PORT/admin/accounts/demo-account"; echo
  # A connect link for a second account: opening it runs the OAuth flow against the simulator (a new member).
  # allowRebind: each run's simulator makes new members, so the member an earlier run connected is gone; without it
  # the second run's link would be refused as another member (as it must be outside this demo).
  CONNECT_URL=$(curl -fs -X POST "http://localhost:$HTTP_PORT/admin/accounts/demo-browser/connect-link" \
    -H "Authorization: Bearer $COURIER_ADMIN_TOKEN" -H 'Content-Type: application/json' -d '{"allowRebind":true}' \
    | json_field url)
}

# A 96 x 48 PNG (LinkedIn blue) for the demo's image post, served by the simulator's media server.
DEMO_PNG=iVBORw0KGgoAAAANSUhEUgAAAGAAAAAwCAIAAABhdOiYAAAAVklEQVR42u3QQQkAAAgEsHsb1KAms4F/YbAES/VwiAJBggQJEiRIkCAECRIkSJAgQYIQJEiQIEGCBAlCkCBBggQJEiRIEIIECRIkSJAgQQgSJEiQoB8Wz3uFPPqG2nYAAAAASUVORK5CYII=

publish_demo_jobs() {
  local run now; run=demo-$(date +%s); now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  DEMO_RUN=$run
  echo "$DEMO_PNG" | base64 -d | curl -fs -X PUT --data-binary @- -H 'Content-Type: image/png' \
    "http://127.0.0.1:$SIM_PORT/sim/files/$run.png" || { say "could not put the demo image on the simulator"; return 1; }
  say "publishing demo jobs with the bundled producer (java -jar $JAR publish)"
  "$JAVA_HOME/bin/java" -jar "$JAR" publish --bootstrap "$KAFKA_BOOTSTRAP_SERVERS" <<JOBS
{"jobId":"$run-post","type":"post.create","accountId":"demo-account","createdAt":"$now","payload":{"author":"$DEMO_URN","commentary":"Hello from Courier ($run)","visibility":"PUBLIC"}}
{"jobId":"$run-image","type":"post.create","accountId":"demo-account","createdAt":"$now","payload":{"author":"$DEMO_URN","commentary":"An image post from Courier ($run)","media":[{"url":"http://127.0.0.1:$SIM_PORT/files/$run.png","kind":"image","altText":"A blue rectangle"}]}}
{"jobId":"$run-profile","type":"sync.profile","accountId":"demo-account","createdAt":"$now","payload":{}}
{"jobId":"$run-posts","type":"sync.posts","accountId":"demo-account","createdAt":"$now","payload":{"author":"$DEMO_URN"}}
{"jobId":"$run-invalid","type":"post.create","accountId":"demo-account","createdAt":"$now","payload":{"commentary":"no author"}}
JOBS
}

show_results() {
  say "results of $DEMO_RUN on linkedin.jobs.results:"
  "$JAVA_HOME/bin/java" -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \
    --topic linkedin.jobs.results --isolation-level read_committed --from-beginning --timeout-ms 20000 --max-messages 100000 2>/dev/null \
    | grep "$DEMO_RUN" | head -5 || true
  say "the invalid job on linkedin.jobs.dlq (headers, then the original bytes):"
  "$JAVA_HOME/bin/java" -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" -cp "$KAFKA_LIBS/*" \
    org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$KAFKA_BOOTSTRAP_SERVERS" \
    --topic linkedin.jobs.dlq --isolation-level read_committed --from-beginning --timeout-ms 15000 --property print.headers=true \
    --property headers.separator=$'\n' 2>/dev/null \
    | grep -B 20 "$DEMO_RUN-invalid" | grep -A 20 "courier-error-class" || true
}

up() {
  trap 'echo; stop_all; exit 0' INT TERM HUP
  if ! deploy/kafka-broker.sh status > /dev/null 2>&1; then
    deploy/kafka-broker.sh start
    touch "$RUN/broker.started-by-courier-local"
  else
    say "using the Kafka broker already on $KAFKA_BOOTSTRAP_SERVERS"
  fi
  deploy/kafka-broker.sh create-topics
  say "building Courier (./mvnw package -DskipTests)"
  ./mvnw -q -B package -DskipTests
  local_secrets
  postgres || { stop_all; exit 1; }
  redis || { stop_all; exit 1; }
  start_courier
  connect_demo_account
  publish_demo_jobs
  show_results
  cat <<MSG

[courier] Courier is running with the LinkedIn simulator:
  ops      http://localhost:$HTTP_PORT/ops/   sign in with the admin token: $(grep ADMIN "$RUN/secrets.env" | cut -d= -f2)
  health   http://localhost:$HTTP_PORT/q/health/ready      metrics http://localhost:$HTTP_PORT/q/metrics
  traces   $(if [ -n "${QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then echo "sent to $QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT"; else
             echo "off: no OTLP collector on 127.0.0.1:4317. To see them, start one (e.g. Jaeger:"
             echo "           docker run -p 4317:4317 -p 16686:16686 jaegertracing/all-in-one, UI on :16686) and run this again;"
             echo "           log lines of jobs published with a traceparent carry its traceId meanwhile"; fi)
  admin    curl -H "Authorization: Bearer \$(grep ADMIN $RUN/secrets.env | cut -d= -f2)" http://localhost:$HTTP_PORT/admin/accounts/demo-account
  connect  open this single-use link (15 min) in a browser to connect account demo-browser through the OAuth flow:
           $CONNECT_URL
  schema   http://localhost:$HTTP_PORT/schemas/job.schema.json   simulator http://127.0.0.1:$SIM_PORT/sim/stats
  publish  echo '<job json>' | java -jar $JAR publish
  Ctrl-C (or deploy/courier-local.sh stop) stops Courier$( [ -f "$RUN/broker.started-by-courier-local" ] && echo ", the broker")$( [ -f "$RUN/pg.pid" ] && echo ", the embedded PostgreSQL")$( [ -f "$RUN/redis.pid" ] && echo ", the embedded Redis"). Following the log:
MSG
  tail -n 0 -F "$RUN/courier.log" &
  TAIL_PID=$!
  wait "$(cat "$RUN/courier.pid")" 2>/dev/null || true
  stop_all
}

case "${1:-up}" in
  up) up ;;
  stop) stop_all ;;
  *) echo "usage: $0 [up] | stop" >&2; exit 2 ;;
esac
