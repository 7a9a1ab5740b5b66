#!/usr/bin/env bash
# kq-produce throughput: 2,000,000 lines of 100 bytes with tab-separated keys,
# `kq-produce -K '\t' t < FILE` beside `cat FILE | cat > OUT` in the same run.
# Each side runs 3 times; the best wall time and the CPU time (user + sys) of
# that run are printed, and their ratios (target: kq within 2.5x of the pipe).
# kq-produce's time includes its final fdatasync (the default flush policy).
# When kq-consume is built, the topic is read back and compared byte for byte.
# Usage: bench/produce_bench.sh [BIN_DIR] [LINES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
lines=${2:-2000000}
export PATH="$bin:$PATH"
. "$here/lib.sh"
enter_lines_bench produce "$lines"

# A failing kq-produce must not be timed as a fast one.
kq-produce -d kq-data -K '\t' t <in.txt || { echo "kq-produce failed"; exit 1; }

best "cat in.txt | cat > out" "rm -rf kq-data out; sync"
cat_wall=$BEST_WALL cat_cpu=$BEST_CPU
best "kq-produce -d kq-data -K '\\t' t < in.txt" "rm -rf kq-data out; sync"
kq_wall=$BEST_WALL kq_cpu=$BEST_CPU
# The same through a pipe (read in 1 MiB chunks instead of a mapping).
best "cat in.txt | kq-produce -d kq-data -K '\\t' t" "rm -rf kq-data out; sync"
pipe_wall=$BEST_WALL pipe_cpu=$BEST_CPU

printf '%-38s %8s %8s\n' "" "wall s" "cpu s"
printf '%-38s %8s %8s\n' "cat FILE | cat > OUT" "$cat_wall" "$cat_cpu"
printf '%-38s %8s %8s\n' "kq-produce -K '\\t' t < FILE" "$kq_wall" "$kq_cpu"
printf '%-38s %8s %8s\n' "cat FILE | kq-produce -K '\\t' t" "$pipe_wall" "$pipe_cpu"
printf '%-38s %8s %8s\n' "ratio (target <= 2.5)" \
  "$(echo "scale=2; $kq_wall / $cat_wall" | bc)" \
  "$(echo "scale=2; $kq_cpu / ($cat_cpu + 0.001)" | bc)"
printf '%-38s %8s %8s\n' "ratio, through a pipe" \
  "$(echo "scale=2; $pipe_wall / $cat_wall" | bc)" \
  "$(echo "scale=2; $pipe_cpu / ($cat_cpu + 0.001)" | bc)"
printf 'kq-produce: %.0f MB/s, %.0f records/s\n' \
  "$(echo "$size / $kq_wall / 1000000" | bc -l)" "$(echo "$lines / $kq_wall" | bc -l)"

if command -v kq-consume >/dev/null; then
  rm -rf kq-data
  kq-produce -d kq-data -K '\t' t <in.txt
  if kq-consume -d kq-data -e t -f '%k\t%s\n' | cmp -s - in.txt; then
    echo "round trip through kq-consume: byte-identical"
  else
    echo "round trip through kq-consume: DIFFERS"
    exit 1
  fi
fi
