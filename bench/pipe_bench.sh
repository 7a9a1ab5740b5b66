#!/usr/bin/env bash
# Pipelines. (1) kq-pipe --map with `cat` as CMD beside the same transform by
# hand, `kq-consume IN | cat | kq-produce OUT`, in the same run: LINES lines
# of 100 bytes in a one-partition topic (target: kq-pipe within 1.5x of the
# hand-made pipe, which keeps no positions and is not restartable).
# (2) kq-produce --follow on a file growing in 20 appends beside
# `tail -n +1 -F FILE | kq-produce`: wall time from the start until every
# line is in the topic. Each side runs 3 times; the best is printed, with
# the ratio. Both write with --flush os, so the disk is not what is timed.
# Usage: bench/pipe_bench.sh [BIN_DIR] [LINES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
lines=${2:-1000000}
export PATH="$bin:$PATH"
. "$here/lib.sh"
enter_lines_bench pipe "$lines"
export KQ_DIR=$work/kq-data
kq-produce --flush os in <in.txt || { echo "kq-produce failed"; exit 1; }

best "kq-consume in | cat | kq-produce --flush os ref" "kq-topics delete ref >/dev/null 2>&1 || true"
ref_wall=$BEST_WALL ref_cpu=$BEST_CPU
best "kq-pipe --flush os --map in out -- cat" "kq-topics delete out >/dev/null 2>&1 || true"
pipe_wall=$BEST_WALL pipe_cpu=$BEST_CPU
kq-consume out | cmp -s - in.txt || { echo "kq-pipe output DIFFERS"; exit 1; }

# follow_run CMD TOPIC: starts CMD in the background, appends in.txt to
# grow.txt in 20 pieces, waits until TOPIC holds every line; sets RUN_WALL.
follow_run() {
  rm -f grow.txt
  : >grow.txt
  kq-topics delete "$2" >/dev/null 2>&1 || true
  local start end pid per=$((lines / 20))
  start=$(date +%s%N)
  setsid bash -c "$1" >/dev/null 2>&1 &
  pid=$!
  for i in $(seq 0 19); do
    sed -n "$((i * per + 1)),$((i * per + per))p" in.txt >>grow.txt
  done
  while [ "$(kq-topics describe "$2" 2>/dev/null | awk '$1 == "0" {print $4}')" != "$((per * 20))" ]; do
    sleep 0.01
  done
  end=$(date +%s%N)
  kill "$pid" 2>/dev/null || true
  kill -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  RUN_WALL=$(echo "scale=3; ($end - $start) / 1000000000" | bc)
}
fbest() {
  FBEST=
  for _ in 1 2 3; do
    follow_run "$1" "$2"
    if [ -z "$FBEST" ] || [ "$(echo "$RUN_WALL < $FBEST" | bc)" = 1 ]; then FBEST=$RUN_WALL; fi
  done
}
fbest "exec kq-produce --flush os --follow --poll-ms 50 ftopic grow.txt" ftopic
follow_wall=$FBEST
fbest "tail -n +1 -F grow.txt | kq-produce --flush os --linger-ms 5 ttopic" ttopic
tail_wall=$FBEST

ratio() { echo "scale=2; $1 / ($2 + 0.001)" | bc; }
printf '%-46s %8s %8s\n' "" "wall s" "cpu s"
printf '%-46s %8s %8s\n' "kq-consume in | cat | kq-produce ref" "$ref_wall" "$ref_cpu"
printf '%-46s %8s %8s\n' "kq-pipe --map in out -- cat" "$pipe_wall" "$pipe_cpu"
printf '%-46s %8s %8s\n' "ratio kq-pipe / hand pipe (target <= 1.5)" \
  "$(ratio "$pipe_wall" "$ref_wall")" "$(ratio "$pipe_cpu" "$ref_cpu")"
printf '%-46s %8s\n' "tail -n +1 -F FILE | kq-produce (growing)" "$tail_wall"
printf '%-46s %8s\n' "kq-produce --follow FILE (growing)" "$follow_wall"
printf '%-46s %8s\n' "ratio --follow / tail -F pipe" "$(ratio "$follow_wall" "$tail_wall")"
