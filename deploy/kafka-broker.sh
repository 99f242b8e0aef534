#!/usr/bin/env bash
# A single-node Kafka broker (KRaft) for local runs, from Kafka's jars on Maven Central: no Docker, no install.
#   deploy/kafka-broker.sh start [--fresh]   start (or reuse) the broker on 127.0.0.1:${KAFKA_PORT:-9092}
#   deploy/kafka-broker.sh stop              stop the broker this script started (by its PID), nothing else
#   deploy/kafka-broker.sh status | create-topics | logs
# KAFKA_PORT, KAFKA_CONTROLLER_PORT and KAFKA_RUN_DIR (config, data, pid and log; default .run/kafka) let several
# brokers run side by side, e.g. the one BrokerOutageIT starts, stops and freezes.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/jdk.sh
source "$ROOT/deploy/lib/jdk.sh"

KAFKA_VERSION=4.1.2
PORT=${KAFKA_PORT:-9092}
CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
CACHE=${COURIER_CACHE:-$HOME/.cache/courier}/kafka-$KAFKA_VERSION
LIBS=$CACHE/libs
RUN=${KAFKA_RUN_DIR:-$ROOT/.run/kafka}
PID_FILE=$RUN/broker.pid
LOG=$RUN/broker.log
BOOTSTRAP=127.0.0.1:$PORT

say() { echo "[kafka] $*"; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

kafka_java() {  # main class + args, with the cached jars and our log4j2 config
  "$JAVA_HOME/bin/java" -Xmx512m -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" \
    -cp "$LIBS/*" "$@"
}

download() {
  if [ -f "$LIBS/.complete" ]; then return; fi
  say "downloading Kafka $KAFKA_VERSION jars from Maven Central into $LIBS (once)"
  mkdir -p "$LIBS"
  "$ROOT/mvnw" -q -B -f "$ROOT/deploy/kafka/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$LIBS"
  touch "$LIBS/.complete"
}

write_config() {
  mkdir -p "$RUN/data"
  cat > "$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$RUN/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
PROPS
}

start() {
  local fresh=${1:-}
  if port_open "$PORT"; then
    say "a broker already answers on $BOOTSTRAP: reusing it"
    return 0
  fi
  download
  if [ "$fresh" = "--fresh" ]; then
    say "wiping $RUN/data (--fresh)"
    rm -rf "$RUN/data"
  fi
  write_config
  if [ ! -f "$RUN/data/meta.properties" ]; then
    local cluster_id
    cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$RUN/server.properties" >/dev/null
    say "formatted a new data dir (cluster $cluster_id)"
  fi
  : > "$LOG"
  nohup "$JAVA_HOME/bin/java" -Xmx512m -Dlog4j2.configurationFile="$ROOT/deploy/kafka/log4j2.properties" \
    -cp "$LIBS/*" kafka.Kafka "$RUN/server.properties" >> "$LOG" 2>&1 &
  echo $! > "$PID_FILE"
  local waited=0
  until port_open "$PORT" && grep -q "Kafka Server started" "$LOG"; do
    if ! kill -0 "$(cat "$PID_FILE")" 2>/dev/null; then
      say "the broker exited while starting; last lines of $LOG:"; tail -20 "$LOG" >&2; rm -f "$PID_FILE"; return 1
    fi
    if [ "$waited" -ge 600 ]; then
      say "the broker did not become ready within 60 s; see $LOG" >&2; return 1
    fi
    sleep 0.1; waited=$((waited + 1))
  done
  say "broker ready on $BOOTSTRAP (pid $(cat "$PID_FILE"), log $LOG)"
}

stop() {
  if [ ! -f "$PID_FILE" ]; then say "no broker started by this script is running"; return 0; fi
  local pid; pid=$(cat "$PID_FILE")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    for _ in $(seq 1 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && { say "broker did not stop in 20 s: killing it"; kill -KILL "$pid"; }
    say "broker stopped (pid $pid)"
  else
    say "broker pid $pid was not running"
  fi
  rm -f "$PID_FILE"
}

status() {
  if port_open "$PORT"; then
    say "a broker answers on $BOOTSTRAP$( [ -f "$PID_FILE" ] && echo " (started by this script, pid $(cat "$PID_FILE"))")"
  else
    say "no broker on $BOOTSTRAP"; return 1
  fi
}

# create-topics [BOOTSTRAP [REPLICAS]]: the contract's topics on this broker, or on any cluster (deploy/create-topics.sh).
create_topics() {
  download
  local bootstrap=${1:-$BOOTSTRAP} r=${2:-1} created
  created=$(kafka_java "$ROOT/deploy/kafka/CreateTopics.java" "$bootstrap" \
    "linkedin.jobs.post:6:$r" "linkedin.jobs.sync:6:$r" \
    "linkedin.jobs.retry.1s:3:$r" "linkedin.jobs.retry.10s:3:$r" "linkedin.jobs.retry.1m:3:$r" "linkedin.jobs.retry.10m:3:$r" \
    "linkedin.jobs.retry.1h:3:$r" "linkedin.jobs.dlq:3:$r" "linkedin.jobs.results:3:$r" "linkedin.auth.events:3:$r")
  say "topics ready on $bootstrap: $created"
}

case "${1:-start}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  status) status ;;
  create-topics) create_topics "${2:-}" "${3:-}" ;;
  logs) tail -f "$LOG" ;;
  *) echo "usage: $0 start [--fresh] | stop | status | create-topics | logs" >&2; exit 2 ;;
esac
