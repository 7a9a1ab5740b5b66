#!/usr/bin/env bash
# kq-consume -F delivery latency: a writer process appends timestamped
# records one at a time (one batch each, about every 2 ms with jitter) while
# `kq-consume -F` in another process prints them into a pipe; the reader of
# that pipe measures write-to-delivery latency per record and prints p50, p90,
# p99 and max (target: p99 <= 10 ms). bench/follow_latency.cc does the work.
# Usage: bench/follow_latency.sh [BIN_DIR] [RECORDS] [INTERVAL_US]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "${1:-$here/../build/bin}" && pwd)
records=${2:-2000}
interval=${3:-2000}
work=$(mktemp -d "${TMPDIR:-/tmp}/kq-follow-bench-XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "kq-consume -F: $records records, one per batch, ~${interval} us apart"
"$bin/follow_latency" "$bin/kq-consume" "$work/kq-data" "$records" "$interval"
