#!/usr/bin/env bash
# README command 1: runs Courier locally with everything it needs.
#   deploy/courier-local.sh [up]   Kafka broker + topics, checks PostgreSQL/Redis, builds and starts Courier with the
#                                  built-in LinkedIn simulator, connects a demo account, publishes demo jobs, shows
#                                  their results, then stays in the foreground (Ctrl-C stops what it started).
#   deploy/courier-local.sh stop   stops Courier and the broker started by an earlier 'up', nothing else.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# shellcheck source=lib/jdk.sh
source deploy/lib/jdk.sh

RUN=$ROOT/.run
HTTP_PORT=${HTTP_PORT:-8080}
SIM_PORT=${COURIER_SIMULATOR_PORT:-8090}
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${KAFKA_PORT:-9092}}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379}
export DB_URL=${DB_URL:-jdbc:postgresql://127.0.0.1:5432/courier}
export DB_USER=${DB_USER:-postgres}
export DB_PASSWORD=${DB_PASSWORD:-}
JAR=$ROOT/target/quarkus-app/quarkus-run.jar
KAFKA_LIBS=${COURIER_CACHE:-$HOME/.cache/courier}/kafka-4.1.2/libs
mkdir -p "$RUN"

say() { echo "[courier] $*"; }
json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }   # flat string fields of one-line JSON

stop_courier() {
  if [ -f "$RUN/courier.pid" ]; then
    local pid; pid=$(cat "$RUN/courier.pid")
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid"
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
      say "Courier stopped (pid $pid)"
    fi
    rm -f "$RUN/courier.pid"
  fi
}

TAIL_PID=""
stop_all() {
  [ -n "$TAIL_PID" ] && kill "$TAIL_PID" 2>/dev/null || true
  stop_courier
  if [ -f "$RUN/broker.started-by-courier-local" ]; then
    deploy/kafka-broker.sh stop
    rm -f "$RUN/broker.started-by-courier-local"
  fi
}

check_services() {
  local pg_host; pg_host=$(echo "$DB_URL" | sed -n 's#jdbc:postgresql://\([^:/]*\).*#\1#p')
  if ! pg_isready -q -h "${pg_host:-127.0.0.1}" -p 5432; then
    say "PostgreSQL does not answer at ${pg_host:-127.0.0.1}:5432. Start it, e.g.:"
    say "  pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start"
    return 1
  fi
  if [ "$DB_URL" = "jdbc:postgresql://127.0.0.1:5432/courier" ] &&
     [ "$(psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='courier'")" != "1" ]; then
    createdb -h 127.0.0.1 -U postgres courier && say "created PostgreSQL database 'courier'"
  fi
  if [ "$(redis-cli -u "$REDIS_URL" ping 2>/dev/null)" != "PONG" ]; then
    say "Redis does not answer at $REDIS_URL. Start it, e.g.:"
    say "  redis-server --daemonize yes --port 6379 --save \"\" --appendonly no"
    return 1
  fi
  say "PostgreSQL and Redis answer"
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
  set -a; source "$RUN/secrets.env"; set +a
}

start_courier() {
  if [ -f "$RUN/courier.pid" ] && kill -0 "$(cat "$RUN/courier.pid")" 2>/dev/null; then
    say "Courier is already running (pid $(cat "$RUN/courier.pid")); stop it with: deploy/courier-local.sh stop"; exit 1
  fi
  say "building Courier (./mvnw package -DskipTests)"
  ./mvnw -q -B package -DskipTests
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
  trap 'echo; stop_all; exit 0' INT TERM
  if ! deploy/kafka-broker.sh status > /dev/null 2>&1; then
    deploy/kafka-broker.sh start
    touch "$RUN/broker.started-by-courier-local"
  else
    say "using the Kafka broker already on $KAFKA_BOOTSTRAP_SERVERS"
  fi
  deploy/kafka-broker.sh create-topics
  check_services || { stop_all; exit 1; }
  local_secrets
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
  Ctrl-C (or deploy/courier-local.sh stop) stops Courier$( [ -f "$RUN/broker.started-by-courier-local" ] && echo " and the broker"). Following the log:
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
