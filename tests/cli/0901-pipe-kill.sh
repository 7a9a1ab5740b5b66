#!/usr/bin/env bash
# kq-pipe --map (alone, and as two members of a group) under SIGKILL at
# random moments while IN grows: afterwards OUT holds the transform of every
# input record exactly once, in order per partition, keys kept.
. "$(dirname "$0")/helpers.sh"

N=${KQ_PIPE_RECORDS:-4000}
KILLS=${KQ_PIPE_KILLS:-50}
RANDOM=901
pids=()
trap 'kill -9 "${pids[@]}" 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT

kq-topics create in --partitions 3 >/dev/null
# The input, written in 40 appends while the pipes run.
feeder() {
  local i=0
  while [ $i -lt "$N" ]; do
    seq $((i + 1)) $((i + 100)) | sed 's/^/k\0:/' | awk -F: '{print "k" ($2 % 7) ":" $2}' |
      kq-produce -K : --flush os in
    i=$((i + 100))
    sleep 0.02
  done
}
feeder &
FEEDER=$!

start_pipe() {  # start_pipe ARGS...: in the background, pid appended to pids
  kq-pipe --flush os "$@" --map -F in out -- sed -u 's/^/x/' 2>>pipe.err &
  pids+=($!)
}

kills=0
while [ $kills -lt "$KILLS" ]; do
  pids=()
  if [ $((kills % 2)) -eq 0 ]; then
    start_pipe
  else
    start_pipe -G g
    start_pipe -G g
  fi
  sleep "0.$((RANDOM % 3))$((RANDOM % 10))"
  # One of them (or the only one) is killed; the other is killed just after.
  kill -9 "${pids[@]}" 2>/dev/null || true
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  kills=$((kills + 1))
done
wait $FEEDER
pids=()
kq-pipe --map in out -- sed -u 's/^/x/' || fail "the last run failed: $(cat pipe.err)"

for p in 0 1 2; do
  kq-consume in:$p -f '%k x%s\n' >want.$p
  kq-consume out:$p -f '%k %s\n' >got.$p
  if ! cmp -s want.$p got.$p; then
    diff want.$p got.$p | head -10 >&2 || true
    fail "partition $p: OUT is not IN transformed exactly once ($(wc -l <want.$p) in, $(wc -l <got.$p) out)"
  fi
done
[ "$(cat want.0 want.1 want.2 | wc -l)" -eq "$N" ] || fail "IN does not hold $N records"
pass
