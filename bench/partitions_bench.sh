#!/usr/bin/env bash
# kq-produce into many partitions: 100,000 keyed lines of 100 bytes into a
# topic of 1, 100 and 1,000 partitions under each flush policy, beside
# `cat FILE > OUT` followed by one `sync -d OUT` (the fsync reference) in the
# same run. Prints the best wall time of 3 runs, the cost per partition
# ((time at N partitions - time at 1) / N), and, when strace is installed,
# how many fdatasync, fsync and rename calls each run made.
# Usage: bench/partitions_bench.sh [BIN_DIR] [LINES]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
lines=${2:-100000}
export PATH="$bin:$PATH"
. "$here/lib.sh"
enter_lines_bench partitions "$lines"

best "cat in.txt > out && sync -d out" "rm -f out"
ref_wall=$BEST_WALL
printf '%-32s %8s\n' "cat FILE > OUT && sync -d OUT" "$ref_wall"
printf '%-10s %-12s %8s %8s %12s %s\n' partitions flush "wall s" ratio "ms/partition" "syscalls"

# syscalls N FLUSH: counts of fdatasync, fsync and rename(at) in one run.
syscalls() {
  command -v strace >/dev/null || { echo "-"; return; }
  rm -rf kq-data
  kq-topics -d kq-data create t -p "$1" >/dev/null 2>&1
  strace -f -c -o trace.txt -e trace=fdatasync,fsync,rename,renameat,renameat2 \
    kq-produce -d kq-data -K '\t' --flush "$2" t <in.txt >/dev/null
  awk '$NF ~ /^(fdatasync|fsync|rename|renameat|renameat2)$/ { printf "%s=%s ", $NF, $4 }' trace.txt
}

for flush in fsync interval:1000 os; do
  one=
  for n in 1 100 1000; do
    setup="rm -rf kq-data; kq-topics -d kq-data create t -p $n >/dev/null 2>&1"
    best "kq-produce -d kq-data -K '\\t' --flush $flush t < in.txt" "$setup"
    [ "$n" = 1 ] && one=$BEST_WALL
    per=$(echo "scale=3; ($BEST_WALL - $one) * 1000 / $n" | bc)
    printf '%-10s %-12s %8s %8s %12s %s\n' "$n" "$flush" "$BEST_WALL" \
      "$(echo "scale=2; $BEST_WALL / $ref_wall" | bc)" "$per" "$(syscalls "$n" "$flush")"
  done
done
