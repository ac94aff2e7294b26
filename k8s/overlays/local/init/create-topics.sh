#!/bin/bash
# Creates the Videogen topics; safe to run again. Runs in the apache/kafka image, both as compose's kafka-init
# and as the local Kubernetes Job (one file for both). The services declare the same topics, but a broker that
# has them before the first producer starts never auto-creates one with the wrong partition count.
set -euo pipefail

bootstrap="${KAFKA_BOOTSTRAP_SERVERS:-kafka:9092}"
partitions="${VIDEOGEN_TOPIC_PARTITIONS:-12}"
replication="${VIDEOGEN_TOPIC_REPLICATION:-1}"
kafka_bin="${KAFKA_HOME:-/opt/kafka}/bin"
deadline=$(( $(date +%s) + ${VIDEOGEN_INIT_TIMEOUT_SECONDS:-300} ))

until "$kafka_bin/kafka-broker-api-versions.sh" --bootstrap-server "$bootstrap" >/dev/null 2>&1; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "kafka-init: no broker answered at $bootstrap" >&2
    exit 1
  fi
  echo "kafka-init: waiting for $bootstrap ..."
  sleep 3
done

create() { # topic [--config k=v ...]
  local topic="$1"; shift
  "$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$topic" --partitions "$partitions" --replication-factor "$replication" "$@"
}

create videogen.generation.requested
# The event log is the system of record for every job's history: kept ten years, as the services declare it.
create videogen.generation.events --config retention.ms=315360000000
create videogen.generation.requested-dlt
# Latest command per job is all that matters.
create videogen.generation.commands --config cleanup.policy=compact

"$kafka_bin/kafka-topics.sh" --bootstrap-server "$bootstrap" --describe \
  --topic 'videogen\..*' | grep -E '^Topic:' || true
echo "kafka-init: topics ready"
