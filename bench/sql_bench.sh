#!/usr/bin/env bash
# kq-sql: a full scan and a time range.
#  1. `kq-sql "SELECT count(*) FROM t"` over RECORDS (default 10,000,000)
#     lines of 100 bytes in a one-partition topic, beside
#     `kq-consume t | wc -l` over the same topic in the same run (target:
#     within 2x). Each runs 3 times; the best wall time and that run's CPU
#     time are printed, with their ratios.
#  2. A topic holding a day (DAY_RECORDS, default 2,000,000, spread evenly
#     over 24 hours): the bytes a one-hour ts range reads (--stats) beside
#     the bytes of a full scan (target: a few percent; one hour is 4.2%).
# Usage: bench/sql_bench.sh [BIN_DIR] [RECORDS] [DAY_RECORDS]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
records=${2:-10000000}
day_records=${3:-2000000}
export PATH="$bin:$PATH"
. "$here/lib.sh"
enter_lines_bench sql "$records"
kq-produce -d kq-data --flush os -K '\t' t <in.txt || { echo "kq-produce failed"; exit 1; }
rm in.txt
[ "$(kq-sql -d kq-data -N "SELECT count(*) FROM t")" = "$records" ] || { echo "count DIFFERS"; exit 1; }
[ "$(kq-consume -d kq-data t | wc -l)" = "$records" ] || { echo "kq-consume count DIFFERS"; exit 1; }

best "kq-consume -d kq-data t | wc -l"
wc_wall=$BEST_WALL wc_cpu=$BEST_CPU
best "kq-sql -d kq-data -N 'SELECT count(*) FROM t'"
sql_wall=$BEST_WALL sql_cpu=$BEST_CPU
best "kq-sql -d kq-data -N \"SELECT count(*) FROM t WHERE key LIKE 'key0000%'\""
like_wall=$BEST_WALL like_cpu=$BEST_CPU

ratio() { echo "scale=2; $1 / ($2 + 0.001)" | bc; }
printf '%-48s %8s %8s\n' "" "wall s" "cpu s"
printf '%-48s %8s %8s\n' "kq-consume t | wc -l" "$wc_wall" "$wc_cpu"
printf '%-48s %8s %8s\n' "kq-sql 'SELECT count(*) FROM t'" "$sql_wall" "$sql_cpu"
printf '%-48s %8s %8s\n' "kq-sql '... WHERE key LIKE ...' (reads keys)" "$like_wall" "$like_cpu"
printf '%-48s %8s %8s\n' "ratio count(*) / kq-consume | wc (target <= 2)" \
  "$(ratio "$sql_wall" "$wc_wall")" "$(ratio "$sql_cpu" "$wc_cpu")"
printf 'kq-sql count(*): %.0f records/s\n' "$(echo "$records / $sql_wall" | bc -l)"
rm -rf kq-data

# A day: records every 86400000 / DAY_RECORDS ms, 100-byte values.
awk -v n="$day_records" 'BEGIN {
  pad = sprintf("%*s", 80, ""); gsub(/ /, "x", pad)
  t0 = 1793491200000; step = 86400000 / n
  for (i = 0; i < n; i++) printf "{\"ts\":%.0f,\"key\":\"k%d\",\"payload\":\"%09d-%s\"}\n", t0 + int(i * step), i % 1000, i, pad
}' | kq-produce -d kq-data --flush os -J day
all=$(kq-sql -d kq-data --stats -N "SELECT count(*) FROM day" 2>&1 >/dev/null |
  sed -n 's/.* rows, \([0-9]*\) bytes read.*/\1/p')
from=$((1793491200000 + 12 * 3600000))
hour_out=$(kq-sql -d kq-data --stats -N "SELECT count(*) FROM day WHERE ts >= $from AND ts < $from + 3600000" 2>&1)
hour=$(sed -n 's/.* rows, \([0-9]*\) bytes read.*/\1/p' <<<"$hour_out")
printf 'day topic: %d records, %d bytes read by a full scan\n' "$day_records" "$all"
printf 'one hour of the day: %s records, %d bytes read: %.2f%% (ideal 4.17%%)\n' \
  "$(head -n 1 <<<"$hour_out")" "$hour" "$(echo "100 * $hour / $all" | bc -l)"
