#!/usr/bin/env bash
# kq-compact on a small compacted topic: --dry-run changes nothing, cleaning
# keeps the latest value per key, --verify passes and then finds a flipped
# bit by file and position, --dump prints batches and records.
. "$(dirname "$0")/helpers.sh"

kq-topics create users -c cleanup.policy=compact -c segment.bytes=4096 -q
for r in $(seq 1 30); do
  for k in $(seq 1 20); do echo "k$k:v$k-$r"; done
done | kq-produce users -K: -q --batch-bytes 1024  # many batches, so segments roll
seg0="$KQ_DIR/users-0/00000000000000000000.log"
before=$(cksum <"$seg0")

run kq-compact --dry-run users
expect_rc 0 "dry run"
expect_out_contains "users-0: compaction:"
expect_out_contains "would remove"
[ "$(cksum <"$seg0")" = "$before" ] || fail "--dry-run changed $seg0"

run kq-compact --verify
expect_rc 0 "verify before cleaning"
expect_out_contains "users-0: "
expect_out_contains ": ok"

run kq-compact users
expect_rc 0 "clean"
expect_out_contains "removed"
expect_out_contains "1 partition(s): freed"

run kq-compact --verify users:0
expect_rc 0 "verify after cleaning"

# Each key's latest value survives: k1 was last written in round 30.
run kq-compact --dump --print-data users
expect_rc 0 "dump"
expect_out_contains "Dumping $seg0"
expect_out_contains "baseOffset: "
expect_out_contains "compresscodec: none"
expect_out_contains "key: k1 payload: v1-30"
case "$OUT" in *"payload: v1-1 "*|*"payload: v1-1"$'\n'*) fail "an old value of k1 survived" ;; esac

run kq-compact --dump -j users:0
expect_rc 0 "dump json"
first=$(printf '%s\n' "$OUT" | head -n 1)
case "$first" in '{'*'"type":"segment"'*) ;; *) fail "first JSON line is not a segment: $first" ;; esac

run kq-compact -j
expect_rc 0 "clean json"
last=$(printf '%s\n' "$OUT" | tail -n 1)
case "$last" in '{'*'"type":"summary"'*) ;; *) fail "last JSON line is not the summary: $last" ;; esac

# Flip bits inside the records of the first batch that has any (past its
# 61-byte header: a CRC mismatch).
pos=$(kq-compact --dump users:0 | grep -m1 'count: [1-9]' | sed -E 's/.* position: ([0-9]+) .*/\1/')
printf '\x55' | dd of="$seg0" bs=1 seek=$((pos + 70)) conv=notrunc status=none
run kq-compact --verify users
expect_rc 1 "verify after a flipped bit"
expect_err_contains "kq-compact: users-0: $seg0: position $pos"
expect_err_contains "CRC mismatch"
expect_out_contains "1 problem(s)"

run kq-compact --repair users
expect_rc 1 "repair refuses to cut without --truncate-corrupt"
expect_err_contains "--truncate-corrupt"

run kq-compact --repair --truncate-corrupt users
expect_rc 0 "repair --truncate-corrupt"
expect_out_contains "cut at $seg0 position $pos: dropped offsets"

run kq-compact --verify users
expect_rc 0 "verify after the cut"
pass
