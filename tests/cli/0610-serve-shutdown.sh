#!/usr/bin/env bash
# SIGTERM answers what waits instead of waiting for it: a JoinGroup held by
# group.initial.rebalance.delay.ms and a long-poll fetch are answered at
# once, so kq-serve stops in about a second (not after its 10 s grace), with
# exit 0 and a clean log.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create t || fail "create"
start_kq_serve -v --config group.initial.rebalance.delay.ms=60000
# A group member whose join waits a minute, and a consumer in a long poll.
kcat -b "$KQ_SERVE" -G waiting t -q > /dev/null 2>&1 &
member=$!
kcat -b "$KQ_SERVE" -C -t t -o end -q -X fetch.wait.max.ms=60000 > /dev/null 2>&1 &
poller=$!
for _ in $(seq 100); do
  grep -q 'api=JoinGroup' "$KQ_TEST_TMP/.serve-log" 2>/dev/null && break
  sleep 0.05
done
sleep 0.5
start=$(date +%s%N)
stop_kq_serve TERM
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
kill "$member" "$poller" 2>/dev/null || true
wait "$member" "$poller" 2>/dev/null || true
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC: $(tail -3 "$KQ_TEST_TMP/.serve-log")"
[ "$elapsed_ms" -lt 5000 ] || fail "kq-serve took ${elapsed_ms} ms to stop with a join and a fetch waiting"
grep -q 'event=stopped status=ok' "$KQ_TEST_TMP/.serve-log" || fail "no clean stop in the log"
pass
