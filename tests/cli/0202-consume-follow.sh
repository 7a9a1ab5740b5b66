#!/usr/bin/env bash
# -F follows like tail -F: a record written by another process reaches the
# follower's pipe promptly (woken by inotify, flushed when caught up); a
# follower behind `| head -1` exits 0 as soon as head has its line; SIGTERM
# and SIGINT make it flush and exit 0.
. "$(dirname "$0")/helpers.sh"

kq-produce t <<< "first" || fail "produce"

# A follower into a pipe (not a terminal): output must still arrive.
kq-consume -F t | cat > follow.out &
follower=$!
wait_for_line follow.out first 5 || fail "follower did not print the existing record"
start=$(date +%s%N)
kq-produce t <<< "second" || fail "produce second"
wait_for_line follow.out second 2 || fail "follower did not wake for a write by another process"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
echo "delivered in ${elapsed_ms} ms (including kq-produce's start-up)"

# SIGTERM: flush and exit 0.
pid=$(pgrep -P $$ -x kq-consume || true)
[ -n "$pid" ] || fail "no kq-consume child found"
kill -TERM "$pid"
set +e
wait "$follower"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "kq-consume -F exited $rc on SIGTERM"
[ "$(cat follow.out)" = "$(printf 'first\nsecond')" ] || fail "follow output: $(cat follow.out)"

# SIGINT likewise.
kq-consume -F t > int.out 2>int.err &
pid=$!
wait_for_line int.out second 5 || fail "second follower did not start"
kill -INT "$pid"
set +e
wait "$pid"
rc=$?
set -e
[ "$rc" -eq 0 ] || fail "kq-consume -F exited $rc on SIGINT: $(cat int.err)"

# | head -1 ends a follower at once, although no new record arrives.
start=$(date +%s%N)
set +o pipefail
line=$(timeout 10 kq-consume -F t | head -1)
set -o pipefail
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$line" = "first" ] || fail "head -1 got [$line]"
[ "$elapsed_ms" -lt 3000 ] || fail "kq-consume -F | head -1 took ${elapsed_ms} ms"
# And its exit code is 0 (PIPESTATUS of the pipeline).
set +o pipefail
timeout 10 kq-consume -F t | head -1 > /dev/null
rcs=("${PIPESTATUS[@]}")
set -o pipefail
[ "${rcs[0]}" -eq 0 ] || fail "kq-consume -F | head -1: kq-consume exited ${rcs[0]}"

# Without -F, | head on a long topic exits 0 promptly too.
seq 1 200000 | kq-produce t || fail "produce many"
set +o pipefail
kq-consume t | head -1 > /dev/null
rcs=("${PIPESTATUS[@]}")
set -o pipefail
[ "${rcs[0]}" -eq 0 ] || fail "kq-consume | head -1 exited ${rcs[0]}"
pass
