#!/usr/bin/env bash
# kq-replicate throughput: a generated log directory (4 partitions, 64 MiB
# segments, 100-byte records) synced directory to directory, and through
# `kq-replicate send | kq-replicate receive`, beside `cp -r` of the same
# files in the same run (warm page cache, no pending writeback at the start of
# each step). Prints each wall time and its ratio to the copy (target: within
# 2x). kq-replicate fsyncs what it wrote at the end; cp does not.
# Not part of CTest.
# Usage: bench/replicate_bench.sh [BIN_DIR]   size: KQ_BENCH_BYTES (default 128M; 1G for the
#        issue's figure); KQ_BENCH_RECORD=1 appends the figures to bench/RESULTS.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
export PATH="$bin:$PATH"
want=${KQ_BENCH_BYTES:-128M}
bytes=$(numfmt --from=iec "$want")
work=$(mktemp -d "${TMPDIR:-/tmp}/kq-replicate-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT

# 100-byte lines; kq-produce stores them in ~1 MiB batches.
lines=$((bytes / 100))
kq-topics -d "$work/src" create bench -p 4 -c segment.bytes=67108864 -q
seq -f "record %012.0f xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" \
  1 "$lines" | kq-produce -d "$work/src" bench -q
size=$(du -sb "$work/src" | cut -f1)
files=$(find "$work/src" -name '*.log' | wc -l)
echo "data: $lines records, $size bytes on disk, $files .log files"
cat "$work/src"/bench-*/*.log >/dev/null  # warm the page cache

TIMEFORMAT='%R'
# timed CMD: wall seconds of one run after a sync.
timed() {
  sync
  { time bash -c "$1" >/dev/null 2>&1; } 2>&1 | tail -n 1
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (a < b ? a : b) }'; }

copy_s=$(timed "cp -r '$work/src' '$work/copy'"); rm -rf "$work/copy"
copy_s=$(min "$copy_s" "$(timed "cp -r '$work/src' '$work/copy'")"); rm -rf "$work/copy"
sync_s=$(timed "kq-replicate -q '$work/src' '$work/dst'"); rm -rf "$work/dst"
sync_s=$(min "$sync_s" "$(timed "kq-replicate -q '$work/src' '$work/dst'")")
for f in $(cd "$work/src" && find . -name '*.log'); do
  cmp -s "$work/src/$f" "$work/dst/$f" || { echo "FAIL: $f differs after sync" >&2; exit 1; }
done
rm -rf "$work/dst"
pipe_s=$(timed "kq-replicate send -q '$work/src' | kq-replicate receive -q '$work/rcv'"); rm -rf "$work/rcv"
pipe_s=$(min "$pipe_s" "$(timed "kq-replicate send -q '$work/src' | kq-replicate receive -q '$work/rcv'")")
again_s=$(timed "kq-replicate -q '$work/src' '$work/rcv'")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbps() { awk -v s="$size" -v t="$1" 'BEGIN { printf "%.0f", s / 1048576 / t }'; }
echo "cp -r:                ${copy_s} s  ($(mbps "$copy_s") MiB/s)"
echo "kq-replicate dir dir: ${sync_s} s  ($(mbps "$sync_s") MiB/s, $(ratio "$sync_s" "$copy_s")x the copy; target <= 2x)"
echo "send | receive:       ${pipe_s} s  ($(mbps "$pipe_s") MiB/s, $(ratio "$pipe_s" "$copy_s")x the copy; target <= 2x)"
echo "second run (no-op):   ${again_s} s"

if [ "${KQ_BENCH_RECORD:-0}" = 1 ]; then
  cpu=$(lscpu | awk -F': +' '/Model name/ {print $2; exit}')
  cat >>"$here/RESULTS.md" <<MD

## kq-replicate

Machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, shared with other
builds while it ran. Run $(date -u +%Y-%m-%d) by bench/replicate_bench.sh with
KQ_BENCH_BYTES=$want: $lines records of 100 bytes, $size bytes in $files .log files
(4 partitions, 64 MiB segments), warm page cache, sync before each step, best of two runs.
kq-replicate fsyncs what it wrote; cp does not.

| step | seconds | MiB/s | vs cp -r |
|---|---|---|---|
| cp -r | $copy_s | $(mbps "$copy_s") | 1.00x |
| kq-replicate SOURCE DEST | $sync_s | $(mbps "$sync_s") | $(ratio "$sync_s" "$copy_s")x |
| kq-replicate send \| receive | $pipe_s | $(mbps "$pipe_s") | $(ratio "$pipe_s" "$copy_s")x |
| second run (nothing to copy) | $again_s | | |
MD
fi
