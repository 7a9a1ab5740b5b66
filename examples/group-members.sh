#!/usr/bin/env bash
# Two members of one consumer group share a 4-partition topic without any
# server: each `kq-consume -G workers -F` owns a disjoint share of the
# partitions (flock-based membership in the log directory), prints only its
# share, and commits what it printed. If one dies, the other takes over its
# partitions within seconds.
set -euo pipefail

kq-topics create jobs --partitions 4 > /dev/null 2>&1

# -v reports on stderr which partitions a member owns whenever that changes.
kq-consume -v -G workers -F jobs > worker1.out 2> worker1.log &
w1=$!
kq-consume -v -G workers -F jobs > worker2.out 2> worker2.log &
w2=$!
trap 'kill "$w1" "$w2" 2>/dev/null || true' EXIT

# Wait until each member owns two of the four partitions.
owns_two() { tail -n 1 "$1" 2>/dev/null | grep -Eq 'owns: jobs:[0-9] jobs:[0-9]$'; }
for _ in $(seq 200); do
  owns_two worker1.log && owns_two worker2.log && break
  sleep 0.05
done
tail -n 1 worker1.log worker2.log

# 40 keyed jobs, spread over the partitions by key.
seq -f 'job-%02g' 1 40 | awk '{ print "key" $0 "\t" $0 }' | kq-produce -K '\t' jobs

for _ in $(seq 100); do
  [ "$(cat worker1.out worker2.out | wc -l)" -ge 40 ] && break
  sleep 0.05
done
kill -TERM "$w1" "$w2"
wait "$w1" "$w2"
trap - EXIT

echo "worker 1 got $(wc -l < worker1.out) jobs, worker 2 got $(wc -l < worker2.out)"
# Disjoint and complete: every job exactly once.
[ -z "$(sort worker1.out worker2.out | uniq -d)" ]
[ "$(sort -u worker1.out worker2.out | wc -l)" -eq 40 ]
[ -s worker1.out ] && [ -s worker2.out ]
echo "every job was done once"
