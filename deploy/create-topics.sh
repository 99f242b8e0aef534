#!/usr/bin/env bash
# Creates Courier's topics on any Kafka cluster (where Strimzi's KafkaTopic resources in k8s/base/kafka-topics.yaml do
# not apply); existing topics are kept. Uses Kafka's admin client from Maven Central, like deploy/kafka-broker.sh.
#   deploy/create-topics.sh BOOTSTRAP [REPLICAS]        e.g. deploy/create-topics.sh kafka-0.kafka:9092 3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ $# -ge 1 ] || { sed -n '2,4p' "$0" >&2; exit 2; }
exec deploy/kafka-broker.sh create-topics "$1" "${2:-3}"
