#!/usr/bin/env bash
# kq-replicate SOURCE DEST between directories: every .log file and epoch
# checkpoint byte-identical, configs copied, kq-compact --verify clean, a
# second run copies nothing, --topic globs, and bad input is a clear error.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/replicate.sh"

src=$KQ_TEST_TMP/src
kq-topics -d "$src" create orders -p 3 -c segment.bytes=4096 -q
kq-topics -d "$src" create users -c cleanup.policy=compact -c segment.bytes=4096 -q
kq-topics -d "$src" create logs -q
seq 1 3000 | kq-produce -d "$src" orders -q --batch-bytes 1024
for r in 1 2 3; do for k in $(seq 1 50); do echo "k$k:v$r"; done; done |
  kq-produce -d "$src" users -K: -q --batch-bytes 512
kq-compact -d "$src" users -q  # a compacted source: gaps in the offsets
echo one | kq-produce -d "$src" logs -q

run kq-replicate "$src" dst
expect_rc 0 "first sync"
expect_err_contains "5 partitions"
expect_err_contains "3 topics created"
same_logs "$src" dst
[ "$(find dst -name '*.log' | wc -l)" -gt 6 ] || fail "expected several segments per partition"
run kq-compact -d dst --verify
expect_rc 0 "verify the follower"
run kq-topics -d dst describe users
expect_out_contains "cleanup.policy"
run kq-consume -d dst orders -e -q
[ "$(echo "$OUT" | wc -l)" -eq 3000 ] || fail "dst orders has $(echo "$OUT" | wc -l) records"

run kq-replicate --json "$src" dst
expect_rc 0 "second sync"
expect_out_contains '"batches":0'
expect_out_contains '"bytes":0'

# It continues where DEST stands.
seq 1 10 | kq-produce -d "$src" logs -q
run kq-replicate -j "$src" dst
expect_out_contains '"batches":1'
same_logs "$src" dst

# Retention at the source past DEST's end: DEST restarts there (-v says so).
seq 1 20 | kq-produce -d "$src" logs -q
kq-topics -d "$src" trim logs --before end -q
seq 1 5 | kq-produce -d "$src" logs -q
run kq-replicate -v -j "$src" dst
expect_rc 0 "sync after the source's log start moved"
expect_out_contains '"restarts":1'
expect_err_contains "logs-0: restarting at the source's log start 31"
run kq-consume -d dst logs -e -q
[ "$OUT" = "$(seq 1 5)" ] || fail "after the restart dst logs holds [$OUT]"

run kq-replicate -t 'ord*' -t logs -q "$src" only
expect_rc 0 "--topic"
[ "$(kq-topics -d only list | tr '\n' ' ')" = "logs orders " ] || fail "--topic selected $(kq-topics -d only list)"

run kq-replicate "$KQ_TEST_TMP/missing" dst
expect_rc 1 "missing source"
expect_err_contains "missing"
run kq-replicate "$src"
expect_rc 2 "one operand"
expect_err_contains "SOURCE and DEST are required"
run kq-replicate --status-file st.json "$src" dst
expect_rc 2 "--status-file without --follow"

# A corrupt batch in the source stops the run, naming the file.
seg=$(ls "$src"/logs-0/*.log | head -n 1)
printf 'X' | dd of="$seg" bs=1 seek=70 conv=notrunc 2>/dev/null
run kq-replicate "$src" fresh
expect_rc 1 "corrupt source"
expect_err_contains "logs-0"
expect_err_contains "$(basename "$seg")"
pass
