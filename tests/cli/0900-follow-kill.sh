#!/usr/bin/env bash
# kq-produce --follow under SIGKILL at random moments, while the followed
# file grows, is rotated by rename (also while kq-produce is dead, and with
# lines still written to the renamed file) and truncated: afterwards the topic
# holds every line exactly once, in order.
. "$(dirname "$0")/helpers.sh"

N=${KQ_FOLLOW_LINES:-3000}
KILLS=${KQ_FOLLOW_KILLS:-50}
RANDOM=900
pid=
WRITER=
trap 'kill -9 $pid $WRITER 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT

count() { kq-consume src -f '%s\n' 2>/dev/null | wc -l; }
# wait_count N: until the topic holds N records (a follower must be running).
wait_count() {
  local deadline=$((SECONDS + 20))
  while [ "$(count)" -lt "$1" ]; do
    [ $SECONDS -lt $deadline ] || fail "topic stuck at $(count) records, wanted $1"
    sleep 0.05
  done
}

# Starts a follower in the background; its pid in $pid.
follow() {
  kq-produce --follow --poll-ms 50 --flush os src app.log 2>>follow.err &
  pid=$!
}

# The writer: lines 1..N, a rotation every 400 lines (2 more lines go to the
# renamed file afterwards, as a program that has not reopened its log yet
# writes them), a truncation every 700 lines once everything was read.
writer() {
  local i=1 rot=0
  : >app.log
  while [ $i -le "$N" ]; do
    echo "$i" >>app.log
    if [ $((i % 400)) -eq 0 ] && [ $i -lt "$N" ]; then
      # Two rotations before the follower read the file between them would
      # skip that file (as with tail -F): rotate only a file read to its end.
      wait_count "$i"
      rot=$((rot + 1))
      mv app.log "app.log.$rot"
      for _ in 1 2; do i=$((i + 1)); echo "$i" >>"app.log.$rot"; done
      : >app.log
    elif [ $((i % 700)) -eq 0 ]; then
      wait_count "$i"
      : >app.log
    fi
    i=$((i + 1))
    [ $((i % 20)) -eq 0 ] && sleep 0.01
  done
  echo done >writer.done
}

writer &
WRITER=$!
kills=0
while [ $kills -lt "$KILLS" ]; do
  follow
  sleep "0.0$((RANDOM % 9 + 1))"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  kills=$((kills + 1))
  # Let the writer's catch-up waits through now and then.
  if [ $((kills % 10)) -eq 0 ]; then
    follow
    sleep 0.5
    kill -9 $pid
    wait $pid 2>/dev/null || true
  fi
done
# Run on until the writer is done and every line is in.
follow
wait $WRITER || { kill $pid; fail "writer failed"; }
wait_count "$N" || true
sleep 0.3
kill -TERM $pid
wait $pid || fail "kq-produce --follow exited non-zero after SIGTERM: $(cat follow.err)"

kq-consume src -f '%s\n' >got.txt
seq 1 "$N" >want.txt
if ! cmp -s got.txt want.txt; then
  diff want.txt got.txt | head -20 >&2 || true
  fail "the topic does not hold lines 1..$N exactly once, in order ($(wc -l <got.txt) records)"
fi
# Every batch carries the position, and the last one names app.log.
kq-consume src -J -o -1 | grep -q '"kq.position","kq.position/1\\nF [0-9]* [0-9]* [0-9]* [0-9]* [0-9a-f]* app.log\\n"' ||
  fail "the last record does not carry app.log's position: $(kq-consume src -J -o -1)"
pass
