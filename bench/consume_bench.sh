#!/usr/bin/env bash
# kq-consume throughput: 2,000,000 lines of 100 bytes (tab-separated keys)
# are produced into a one-partition topic, then `kq-consume t > OUT` (values
# only) and `kq-consume t -f '%k\t%s\n' > OUT` (the whole line) are timed
# beside `cat FILE | cat > OUT` in the same run. Each side runs 3 times; the
# best wall time and the CPU time (user + sys) of that run are printed, with
# their ratios (target: kq-consume within 2x of the pipe). The pipe runs two
# processes that overlap on two cores; CPU time is the one-core comparison.
# Usage: bench/consume_bench.sh [BIN_DIR] [LINES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
lines=${2:-2000000}
export PATH="$bin:$PATH"
. "$here/lib.sh"
enter_lines_bench consume "$lines"
kq-produce -d kq-data --flush os -K '\t' t <in.txt || { echo "kq-produce failed"; exit 1; }
kq-consume -d kq-data t -f '%k\t%s\n' | cmp -s - in.txt || { echo "round trip DIFFERS"; exit 1; }
echo "round trip: byte-identical"

best "cat in.txt | cat > out" "rm -f out"
cat_wall=$BEST_WALL cat_cpu=$BEST_CPU
best "kq-consume -d kq-data t > out" "rm -f out"
kq_wall=$BEST_WALL kq_cpu=$BEST_CPU
best "kq-consume -d kq-data t -f '%k\\t%s\\n' > out" "rm -f out"
kqf_wall=$BEST_WALL kqf_cpu=$BEST_CPU

ratio() { echo "scale=2; $1 / ($2 + 0.001)" | bc; }
printf '%-40s %8s %8s\n' "" "wall s" "cpu s"
printf '%-40s %8s %8s\n' "cat FILE | cat > OUT" "$cat_wall" "$cat_cpu"
printf '%-40s %8s %8s\n' "kq-consume t > OUT" "$kq_wall" "$kq_cpu"
printf '%-40s %8s %8s\n' "kq-consume t -f '%k\\t%s\\n' > OUT" "$kqf_wall" "$kqf_cpu"
printf '%-40s %8s %8s\n' "ratio kq-consume / pipe (target <= 2)" \
  "$(ratio "$kq_wall" "$cat_wall")" "$(ratio "$kq_cpu" "$cat_cpu")"
printf '%-40s %8s %8s\n' "ratio -f '%k\\t%s\\n' / pipe" \
  "$(ratio "$kqf_wall" "$cat_wall")" "$(ratio "$kqf_cpu" "$cat_cpu")"
printf 'kq-consume: %.0f MB/s, %.0f records/s\n' \
  "$(echo "$size / $kq_wall / 1000000" | bc -l)" "$(echo "$lines / $kq_wall" | bc -l)"
