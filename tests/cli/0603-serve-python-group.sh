#!/usr/bin/env bash
# confluent-kafka-python against kq-serve: an idempotent producer with
# acks=all, then a two-member consumer group that reads every record exactly
# once and commits; after a server restart the group resumes where it
# committed and reads only what came since.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"
py=/usr/bin/python3
$py -c 'import confluent_kafka' 2>/dev/null || fail "python3-confluent-kafka is not installed"
script="$(dirname "$0")/serve_python_group.py"

# Kafka's group.initial.rebalance.delay.ms (3 s) lets both members into the
# first generation.
start_kq_serve
$py "$script" "$KQ_SERVE" produce events 0 20000 || fail "produce"
[ "$(kq-consume events | wc -l)" -eq 20000 ] || fail "the directory does not hold 20000 records"
$py "$script" "$KQ_SERVE" group events g 20000 || fail "group read"
# The commits cover all four partitions.
kq-groups describe g | awk 'NR > 1 && $5 != 0 { bad = 1 } END { exit bad }' ||
  fail "lag left after the group read: $(kq-groups describe g)"

stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC"
start_kq_serve
$py "$script" "$KQ_SERVE" produce events 20000 1000 || fail "produce after restart"
$py "$script" "$KQ_SERVE" group events g 1000 || fail "the group did not resume at its commits"
stop_kq_serve TERM
pass
