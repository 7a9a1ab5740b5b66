#!/usr/bin/env bash
# kq-replicate throughput: a generated log directory (4 partitions, 64 MiB
# segments, 100-byte records) synced directory to directory, and through
# `kq-replicate send | kq-replicate receive`, beside `cp -r` of the same
# files in the same run (warm page cache, no pending writeback at the start of
# each step), and beside `tar c | tar x` (a copy through user space and a
# pipe). Prints each wall time and its ratio to the copy (target: within 2x),
# and the CPU time. kq-replicate fsyncs what it wrote at the end; cp does not.
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

# timed NAME CMD: runs CMD twice after a sync, keeps the faster run's wall
# and CPU (user + sys) seconds in NAME_wall and NAME_cpu. The machine may be
# shared: CPU time says what the work costs when wall time is stretched by
# other processes.
timed() {
  local name=$1 cmd=$2 best_w= best_c= w c
  for _ in 1 2; do
    [ -n "${3:-}" ] && eval "$3"
    sync
    /usr/bin/time -o "$work/time.txt" -f '%e %U %S' bash -c "$cmd" >/dev/null 2>&1
    read -r w c < <(awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$work/time.txt")
    if [ -z "$best_w" ] || awk -v a="$w" -v b="$best_w" 'BEGIN { exit !(a < b) }'; then
      best_w=$w best_c=$c
    fi
  done
  printf -v "${name}_wall" %s "$best_w"
  printf -v "${name}_cpu" %s "$best_c"
}

timed copy "cp -r '$work/src' '$work/copy'" "rm -rf '$work/copy'"
timed copysync "cp -r '$work/src' '$work/copy' && sync" "rm -rf '$work/copy'"
rm -rf "$work/copy"
# cp copies in the kernel (copy_file_range); tar | tar moves the bytes through
# user space and a pipe, as kq-replicate does.
timed tar "mkdir -p '$work/copy' && tar -C '$work/src' -cf - . | tar -C '$work/copy' -xf -" "rm -rf '$work/copy'"
rm -rf "$work/copy"
timed sync "kq-replicate -q '$work/src' '$work/dst'" "rm -rf '$work/dst'"
for f in $(cd "$work/src" && find . -name '*.log'); do
  cmp -s "$work/src/$f" "$work/dst/$f" || { echo "FAIL: $f differs after sync" >&2; exit 1; }
done
timed pipe "kq-replicate send -q '$work/src' | kq-replicate receive -q '$work/rcv'" "rm -rf '$work/rcv'"
timed again "kq-replicate -q '$work/src' '$work/rcv'"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mbps() { awk -v s="$size" -v t="$1" 'BEGIN { printf "%.0f", s / 1048576 / t }'; }
line() {  # LABEL NAME
  local w c
  eval "w=\$${2}_wall c=\$${2}_cpu"
  printf '%-22s %6s s wall (%5s MiB/s, %5sx cp -r, %5sx cp -r + sync)  %6s s CPU\n' \
    "$1" "$w" "$(mbps "$w")" "$(ratio "$w" "$copy_wall")" "$(ratio "$w" "$copysync_wall")" "$c"
}
line "cp -r" copy
line "cp -r && sync" copysync
line "tar c | tar x" tar
line "kq-replicate dir dir" sync
line "send | receive" pipe
line "second run (no-op)" again
echo "target: kq-replicate within 2x of cp -r (wall)"

if [ "${KQ_BENCH_RECORD:-0}" = 1 ]; then
  cpu=$(lscpu | awk -F': +' '/Model name/ {print $2; exit}')
  cat >>"$here/RESULTS.md" <<MD

## kq-replicate

Machine: $cpu, $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB RAM, shared with other
builds while it ran. Run $(date -u +%Y-%m-%d) by bench/replicate_bench.sh with
KQ_BENCH_BYTES=$want: $lines records of 100 bytes, $size bytes in $files .log files
(4 partitions, 64 MiB segments), warm page cache, sync before each step, best of two runs;
CPU is user + sys of the faster run (for the pipe: both ends).
kq-replicate fsyncs what it wrote; cp does not.

| step | wall s | MiB/s | vs cp -r | vs cp -r && sync | CPU s |
|---|---|---|---|---|---|
| cp -r | $copy_wall | $(mbps "$copy_wall") | 1.00x | | $copy_cpu |
| cp -r && sync | $copysync_wall | $(mbps "$copysync_wall") | $(ratio "$copysync_wall" "$copy_wall")x | 1.00x | $copysync_cpu |
| tar c \| tar x | $tar_wall | $(mbps "$tar_wall") | $(ratio "$tar_wall" "$copy_wall")x | $(ratio "$tar_wall" "$copysync_wall")x | $tar_cpu |
| kq-replicate SOURCE DEST | $sync_wall | $(mbps "$sync_wall") | $(ratio "$sync_wall" "$copy_wall")x | $(ratio "$sync_wall" "$copysync_wall")x | $sync_cpu |
| kq-replicate send \| receive | $pipe_wall | $(mbps "$pipe_wall") | $(ratio "$pipe_wall" "$copy_wall")x | $(ratio "$pipe_wall" "$copysync_wall")x | $pipe_cpu |
| second run (nothing to copy) | $again_wall | | | | $again_cpu |
MD
fi
