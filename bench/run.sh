#!/usr/bin/env bash
# Runs every benchmark; each prints kq's figures beside a reference run.
# Usage: bench/run.sh [BIN_DIR]   (default build/bin)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/bin}
export PATH="$bin:$PATH"
echo "== machine"
lscpu | grep -E 'Model name|^CPU\(s\)' || true
free -h | head -2
echo
echo "== log append/read (bench/append_bench.cc)"
"$bin/append_bench" "${TMPDIR:-/tmp}/kq-append-bench" 2000000 1000
echo
echo "== partition open time (bench/open_bench.cc; writes 10 GiB)"
"$bin/open_bench" "${TMPDIR:-/tmp}/kq-open-bench" 10 1024
for script in "$here"/*_bench.sh "$here"/follow_latency.sh; do
  [ -f "$script" ] || continue
  echo
  echo "== $(basename "$script")"
  bash "$script" "$bin"
done
