#!/usr/bin/env bash
# kq-consume -G --exec under SIGKILL at random moments: afterwards every
# record went through a sink run that exited 0 at least once, and per
# partition the records first arrived in offset order with none skipped.
. "$(dirname "$0")/helpers.sh"

N=${KQ_EXEC_RECORDS:-3000}  # a multiple of 60
KILLS=${KQ_EXEC_KILLS:-50}
RANDOM=903
pid=
FEEDER=
trap 'kill -9 $pid $FEEDER 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT

kq-topics create in --partitions 2 >/dev/null 2>&1
# The input grows while the sinks run: 60 appends over about 20 s.
feeder() {
  local i=0 step=$((N / 60))
  while [ $i -lt "$N" ]; do
    seq $((i + 1)) $((i + step)) | awk '{print "k" ($1 % 5) ":" $1}' | kq-produce -K : in
    i=$((i + step))
    sleep 0.3
  done
}
feeder &
FEEDER=$!

# The sink: takes the whole batch or nothing (a batch cut short by a killed
# kq-consume fails the count check), then appends it in one write.
SINK='f=$(mktemp sink.XXXXXX) && cat >"$f" && [ "$(wc -l <"$f")" -eq "$KQ_RECORDS" ] &&
  head -1 "$f" | grep -q "^$KQ_PARTITION $KQ_FIRST_OFFSET " && sleep 0.02 && cat "$f" >>sink.out
  s=$?; rm -f "$f"; exit $s'

kills=0
while [ $kills -lt "$KILLS" ]; do
  kq-consume -G g -F in -f '%p %o %s\n' --batch-records 40 --batch-ms 10 --retries 0 \
    --exec "$SINK" 2>>exec.err &
  pid=$!
  # Long enough, often, for group commits (every 0.5 s) to happen.
  sleep "0.$((RANDOM % 9))$((RANDOM % 10))"
  kill -9 $pid 2>/dev/null || true
  wait $pid 2>/dev/null || true
  kills=$((kills + 1))
done
wait $FEEDER
FEEDER=
pid=
kq-consume -G g in -f '%p %o %s\n' --batch-records 40 --exec "$SINK" 2>>exec.err ||
  fail "the last run failed: $(tail -3 exec.err)"

for p in 0 1; do
  kq-consume in:$p -f '%p %o %s\n' >want.$p
  # First arrivals, in the order they arrived.
  grep "^$p " sink.out | awk '!seen[$0]++' >got.$p
  if ! cmp -s want.$p got.$p; then
    diff want.$p got.$p | head -10 >&2 || true
    fail "partition $p: records missing or out of order in the sink"
  fi
done
# And nothing is left uncommitted.
run kq-groups describe g
expect_rc 0
[ "$(awk '$1 == "in" {s += $5} END {print s}' <<<"$OUT")" = 0 ] || fail "lag left: $OUT"
pass
