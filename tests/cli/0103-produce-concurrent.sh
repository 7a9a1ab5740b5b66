#!/usr/bin/env bash
# Six kq-produce processes write one keyed 3-partition topic at once: every
# record is stored once, each key lives on one partition, and each producer's
# records keep their order.
. "$(dirname "$0")/helpers.sh"

kq-produce --partitions 3 shared </dev/null
for w in 1 2 3 4 5 6; do
  # Small batches and a short linger make the appends interleave.
  awk -v w="$w" 'BEGIN { for (i = 1; i <= 20000; i++) printf "key%d\t%d:%d\n", (i * 7 + w) % 40, w, i }' |
    kq-produce -K '\t' --batch-bytes 2048 --linger-ms 1 shared &
  pids+=($!)
done
for pid in "${pids[@]}"; do
  wait "$pid" || fail "producer $pid failed"
done

if command -v kq-consume >/dev/null; then
  kq-consume -e shared -f '%p\t%k\t%s\n' >all.tsv
else
  fail "kq-consume is needed to read the topic back"
fi
[ "$(wc -l <all.tsv)" -eq 120000 ] || fail "expected 120000 records, got $(wc -l <all.tsv)"
[ "$(cut -f3 all.tsv | sort | uniq -d | wc -l)" -eq 0 ] || fail "duplicated records"
# Each key on exactly one partition.
[ "$(cut -f1,2 all.tsv | sort -u | cut -f2 | sort | uniq -d | wc -l)" -eq 0 ] ||
  fail "a key is on more than one partition"
# Within each partition, each producer's sequence numbers only grow.
awk -F'\t' '{ split($3, a, ":"); k = $1 " " a[1]; if (a[2] + 0 <= last[k]) { print "out of order: " $0; bad = 1; exit } last[k] = a[2] + 0 }
            END { exit bad }' all.tsv || fail "a producer's order was not kept"
pass
