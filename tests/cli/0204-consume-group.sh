#!/usr/bin/env bash
# Two `kq-consume -G g -F` members on one directory split a 4-partition topic:
# together they print every record exactly once (disjoint and complete).
# After one is killed with SIGKILL, the other takes over its partitions within
# 3 seconds, resuming from the group's committed offsets. A later member
# without -F resumes after what the group committed.
. "$(dirname "$0")/helpers.sh"

kq-topics create t --partitions 4 >/dev/null 2>&1 || fail "create"
for p in 0 1 2 3; do
  seq -f "p$p-%g" 1 50 | kq-produce -p "$p" t || fail "produce to $p"
done

kq-consume -G g -F t > m1.out 2> m1.err &
m1=$!
kq-consume -G g -F t > m2.out 2> m2.err &
m2=$!
cleanup() { kill -KILL "$m1" "$m2" 2>/dev/null || true; }
trap 'cleanup; rm -rf "$KQ_TEST_TMP"' EXIT

# lines FILE...: how many lines the files hold together.
lines() { cat "$@" | wc -l; }
wait_lines() {  # wait_lines N SECONDS FILE...
  local n=$1 secs=$2; shift 2
  local deadline=$(( $(date +%s%N) + secs * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$deadline" ]; do
    [ "$(lines "$@")" -ge "$n" ] && return 0
    sleep 0.05
  done
  return 1
}

wait_lines 200 10 m1.out m2.out || fail "members printed $(lines m1.out m2.out) of 200 records"
sleep 1.2  # two more membership polls: nothing is printed twice
[ "$(lines m1.out m2.out)" -eq 200 ] || fail "members printed $(lines m1.out m2.out) records, expected 200"
[ -z "$(sort m1.out m2.out | uniq -d)" ] || fail "records printed by both members: $(sort m1.out m2.out | uniq -d | head)"
[ "$(sort -u m1.out m2.out | wc -l)" -eq 200 ] || fail "not every record was printed"
# Both members share the work: each owns two partitions now.
for p in 0 1 2 3; do
  seq -f "q$p-%g" 1 10 | kq-produce -p "$p" t || fail "produce q to $p"
done
wait_lines 240 5 m1.out m2.out || fail "after more records: $(lines m1.out m2.out) of 240"
[ "$(grep -c '^q' m1.out)" -eq 20 ] || fail "member 1 got $(grep -c '^q' m1.out) of the 40 new records, expected 20"
[ "$(grep -c '^q' m2.out)" -eq 20 ] || fail "member 2 got $(grep -c '^q' m2.out) of the 40 new records, expected 20"
sleep 0.8  # a commit after the last records

# Kill member 2; member 1 must take its partitions over within 3 s.
kill -KILL "$m2"
wait "$m2" 2>/dev/null || true
for p in 0 1 2 3; do
  seq -f "r$p-%g" 1 10 | kq-produce -p "$p" t || fail "produce r to $p"
done
start=$(date +%s%N)
deadline=$(( start + 3000000000 ))
while [ "$(grep -c '^r' m1.out)" -lt 40 ] && [ "$(date +%s%N)" -lt "$deadline" ]; do sleep 0.05; done
took=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(grep -c '^r' m1.out)" -eq 40 ] || fail "survivor printed $(grep -c '^r' m1.out) of 40 records in 3 s"
echo "takeover after SIGKILL: ${took} ms"
# Nothing the dead member had committed is printed again.
[ "$(grep -c '^[pq]' m1.out)" -eq "$(( 240 - $(grep -c '^[pq]' m2.out) ))" ] ||
  fail "survivor re-printed records the dead member had committed"

# Stop the survivor cleanly: it commits, then a non-following member reads nothing new.
kill -TERM "$m1"
wait "$m1" || fail "member 1 exited $? on SIGTERM"
run kq-consume -G g t
expect_rc 0
expect_out ""
printf 'late\n' | kq-produce -p 2 t
run kq-consume -G g t
expect_rc 0
expect_out "late"
run kq-consume -G g t
expect_out ""
pass
