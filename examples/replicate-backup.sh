#!/usr/bin/env bash
# Keep a backup copy of a log directory with kq-replicate, then ship the same
# through a pipe (as over ssh) and send only what is new the next time.
#
# kq-replicate copies batches verbatim: the backup's .log files are the
# source's, byte for byte, with the same offsets and leader epochs, and a
# rerun copies only what was appended since.
set -euo pipefail

kq-topics create orders --partitions 2 -q
seq 1 1000 | sed 's/^/order-/' | kq-produce orders -q

# 1. Directory to directory (rerun it from cron: each run continues).
kq-replicate "$KQ_DIR" backup
kq-replicate "$KQ_DIR" backup          # nothing new: 0 batches
for f in "$KQ_DIR"/orders-*/*.log; do
  cmp "$f" "backup/${f#"$KQ_DIR"/}"
done
kq-compact -d backup --verify

# 2. Through a pipe: in real life `| ssh host kq-replicate receive /srv/kq`.
kq-replicate send "$KQ_DIR" | kq-replicate receive remote

# 3. Later, send the remote side only what it lacks: it prints its state,
#    the sender starts each partition where the remote log agrees with its own.
seq 1001 1100 | sed 's/^/order-/' | kq-produce orders -q
kq-replicate receive remote --print-state >remote-state.json
kq-replicate send --since-state remote-state.json "$KQ_DIR" | kq-replicate receive remote
[ "$(kq-consume -d remote orders -e -q | wc -l)" -eq 1100 ]
echo "remote has all 1100 orders"
