#!/usr/bin/env bash
# Replay what a topic received in a time window, found through the time
# index: `-o @-1h` is "from one hour ago"; `-o @T1:T2` is the half-open range
# [T1, T2) with ISO-8601 times, epoch ms or times relative to now.
set -euo pipefail

# Records with explicit timestamps (the -J envelope carries "ts"): two hours
# ago, 30 minutes ago and now.
now_ms=$(( $(date +%s) * 1000 ))
cat <<JSON | kq-produce -J clicks
{"ts":$(( now_ms - 2 * 3600 * 1000 )),"payload":"old click"}
{"ts":$(( now_ms - 30 * 60 * 1000 )),"payload":"recent click"}
{"ts":$now_ms,"payload":"latest click"}
JSON

echo "# the last hour"
kq-consume clicks -o @-1h -f '%d %s\n' | tee last-hour.out
[ "$(wc -l < last-hour.out)" -eq 2 ]

echo "# from 3 hours ago until 1 hour ago"
kq-consume clicks -o @-3h:-1h | tee window.out
[ "$(cat window.out)" = "old click" ]
