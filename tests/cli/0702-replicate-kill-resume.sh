#!/usr/bin/env bash
# kq-replicate killed with SIGKILL at random moments, ten times, then run to
# the end: DEST is byte-identical to SOURCE and verifies clean. The same for
# receive in the middle of a stream.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/replicate.sh"

src=$KQ_TEST_TMP/src
kq-topics -d "$src" create a -p 3 -c segment.bytes=65536 -q
kq-topics -d "$src" create b -c segment.bytes=65536 -q
seq -f 'record %06g with some padding to make it longer' 1 120000 | kq-produce -d "$src" a -q --batch-bytes 4096
seq 1 20000 | kq-produce -d "$src" b -q --batch-bytes 1024

RANDOM=7
kills=0
for i in $(seq 1 10); do
  kq-replicate -q "$src" dst &
  pid=$!
  sleep "0.0$((RANDOM % 3))$((RANDOM % 10))"
  kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null || true
done
echo "killed $kills of 10 runs"
[ "$kills" -ge 3 ] || fail "only $kills of 10 runs were killed before they finished"
run kq-replicate "$src" dst
expect_rc 0 "the run after the kills"
same_logs "$src" dst
run kq-compact -d dst --verify
expect_rc 0 "verify after the kills"

# An append torn by a crash (the first bytes of a batch past the log end):
# the next run cuts it and appends after the last whole batch.
seg=$(ls dst/a-0/*.log | tail -n 1)
head -c 100 "$seg" >>"$seg"
seq 1 100 | kq-produce -d "$src" a -q -p 0
run kq-replicate "$src" dst
expect_rc 0 "the run after a torn write"
same_logs "$src" dst

kq-replicate send -q "$src" >full.bin
for i in $(seq 1 5); do
  kq-replicate receive -q rcv <full.bin &
  pid=$!
  sleep "0.0$((RANDOM % 3))$((RANDOM % 10))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
kq-replicate receive rcv --print-state >state.json
kq-replicate send -q --since-state state.json "$src" | kq-replicate receive -q rcv
same_logs "$src" rcv
pass
