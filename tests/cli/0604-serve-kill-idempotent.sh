#!/usr/bin/env bash
# SIGKILL of kq-serve while an idempotent producer (acks=all) is producing:
# the producer reconnects to the restarted server and retries what was not
# acknowledged; afterwards every acknowledged record is in the log exactly
# once, and no record is there twice (the server rebuilt its producer state
# from the log, so retried batches were recognised).
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"
py=/usr/bin/python3
$py -c 'import confluent_kafka' 2>/dev/null || fail "python3-confluent-kafka is not installed"

kq-topics create events --partitions 3 || fail "create"
start_kq_serve
KQ_SERVE_LISTEN=$KQ_SERVE  # restarts come back on the same port
: > acked.txt
$py "$(dirname "$0")/serve_python_idempotent.py" "$KQ_SERVE" events 200000 acked.txt 2>producer.err &
PRODUCER=$!
trap 'kill $PRODUCER 2>/dev/null || true; stop_kq_serve KILL; rm -rf "$KQ_TEST_TMP"' EXIT
for kill in 1 2 3; do
  # Kill in the middle of the run, once some records are acknowledged.
  for i in $(seq 200); do
    [ "$(wc -l < acked.txt 2>/dev/null || echo 0)" -ge $((kill * 30000)) ] && break
    sleep 0.05
  done
  [ "$(wc -l < acked.txt)" -lt 200000 ] || fail "kill $kill came after the producer finished"
  stop_kq_serve KILL
  sleep 0.3
  start_kq_serve
done
wait "$PRODUCER" || fail "the producer did not get every record acknowledged: $(tail -3 producer.err)"
stop_kq_serve TERM

[ "$(wc -l < acked.txt)" -eq 200000 ] || fail "$(wc -l < acked.txt) acknowledgements, expected 200000"
kq-consume events -f '%k\n' | sort > log.txt
dups=$(uniq -d log.txt | wc -l)
[ "$dups" -eq 0 ] || fail "$dups keys are in the log more than once, e.g. $(uniq -d log.txt | head -3 | tr '\n' ' ')"
sort acked.txt | comm -23 - log.txt > lost.txt
[ ! -s lost.txt ] || fail "$(wc -l < lost.txt) acknowledged records are missing, e.g. $(head -3 lost.txt | tr '\n' ' ')"
pass
