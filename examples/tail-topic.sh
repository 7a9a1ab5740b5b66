#!/usr/bin/env bash
# Tail a topic like `tail -n 3 -F`: print the last 3 records, then every new
# one as it is written, and stop when done. Here the follower runs in the
# background while this script plays the writer.
set -euo pipefail

seq -f 'event %g' 1 10 | kq-produce events

# -o -3: the last 3 records of each partition; -F: keep following.
kq-consume events -o -3 -F > tail.out &
follower=$!

# Wait until it has printed those three (it starts in the background, and
# records written before it looks would count among "the last 3").
for _ in $(seq 100); do
  [ "$(wc -l < tail.out)" -ge 3 ] && break
  sleep 0.05
done

# New records reach the follower as they are written (woken by inotify).
for i in 11 12; do
  echo "event $i" | kq-produce events
done

# Wait until the follower printed them, then stop it (SIGTERM flushes, exit 0).
for _ in $(seq 100); do
  [ "$(wc -l < tail.out)" -ge 5 ] && break
  sleep 0.05
done
kill -TERM "$follower"
wait "$follower"
cat tail.out
[ "$(cat tail.out)" = "$(printf 'event 8\nevent 9\nevent 10\nevent 11\nevent 12')" ]
