#!/usr/bin/env bash
# kq-consume --exec: a failing batch is retried with doubling waits; without
# --dead-letter the run stops (exit 1) and the group commits exactly up to the
# end of the last good batch (a rerun starts with the failed batch); with it, the dead-letter topic holds exactly the failed
# batch with Connect's error headers, and the group moves on. SIGTERM lets
# the running batch finish and commits it.
. "$(dirname "$0")/helpers.sh"

seq 1 12 | kq-produce in 2>/dev/null
# Fails on the batch holding 6 (records 5..8, offsets 4..7, with 4 a batch).
SINK='x=$(cat); case "$x" in *"|6|"*) echo "$KQ_ATTEMPT" >>attempts; exit 7;; esac; echo "$x" >>sink.out'
# The group's committed offset of in:0 (0 when it never committed).
committed() { kq-groups describe "$1" 2>/dev/null | awk '$1 == "in" {c = $3} END {print c + 0}'; }

start=$(date +%s%N)
run kq-consume -G g1 in -f '|%s|\n' --batch-records 4 --retries 3 --retry-backoff-ms 100 --exec "$SINK"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
expect_rc 1
expect_err_contains "--exec command failed (exit status 7) on the batch of in:0 offsets 4..7 (after 3 retries); nothing was committed past offset 4"
[ "$(cat attempts | tr '\n' ' ')" = "1 2 3 4 " ] || fail "attempts: $(cat attempts)"
# Waits of 100, 200 and 400 ms between the 4 runs.
[ "$elapsed_ms" -ge 700 ] || fail "retries did not back off: $elapsed_ms ms"
[ "$(committed g1)" = 4 ] || fail "committed $(committed g1), not the good batch's end 4"
[ "$(tr -d '|\n' <sink.out)" = "1234" ] || fail "sink got [$(cat sink.out)]"
run kq-consume -G g1 in -f '|%s|\n' --batch-records 4 --exec 'cat >>rerun.out'
expect_rc 0
[ "$(tr -d '|\n' <rerun.out)" = "56789101112" ] || fail "the rerun got [$(cat rerun.out)]"

: >sink.out
: >attempts
run kq-consume -G g2 in -f '|%s|\n' --batch-records 4 --retries 1 --retry-backoff-ms 10 \
  --dead-letter dlt --exec "$SINK"
expect_rc 0
expect_err_contains "wrote 4 records of in:0 to dead-letter topic 'dlt'"
[ "$(committed g2)" = 12 ] || fail "g2 did not move on: $(committed g2)"
[ "$(tr -d '|\n' <sink.out)" = "12349101112" ] ||
  fail "sink got [$(cat sink.out)]"
run kq-consume dlt -f '%s %h\n'
expect_rc 0
[ "$(cut -d' ' -f1 <<<"$OUT" | tr '\n' ' ')" = "5 6 7 8 " ] || fail "dead letters: $OUT"
for h in "__connect.errors.topic=in" "__connect.errors.partition=0" "__connect.errors.offset=5" \
  "__connect.errors.exception.message=--exec command failed (exit status 7) on the batch of in:0 offsets 4..7" \
  "__connect.errors.exec.exit.status=7" "__connect.errors.exception.class.name=kq.exec.CommandFailed"; do
  expect_out_contains "$h"
done

# SIGTERM while a slow batch runs: it finishes, is committed, exit 0.
kq-consume -G g3 -F in --batch-records 100 --exec 'sleep 1; cat >>slow.out' 2>term.err &
pid=$!
sleep 0.5
kill -TERM $pid
wait $pid || fail "exit $? after SIGTERM: $(cat term.err)"
[ "$(wc -l <slow.out)" -eq 12 ] || fail "the running batch did not finish: $(cat slow.out)"
[ "$(committed g3)" = 12 ] || fail "g3 did not commit the batch: $(committed g3)"

run kq-consume -G g4 in --exec true --dead-letter 'bad/name'
expect_rc 2
run kq-consume -G g4 in --exec true --retries -1
expect_rc 2
pass
