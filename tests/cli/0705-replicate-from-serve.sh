#!/usr/bin/env bash
# kq-replicate kafka://HOST:PORT DEST against kq-serve: DEST holds the
# server's batches byte for byte at the same offsets (the .log files are
# identical), configs included; a second run copies nothing; --follow
# long-polls and picks up new records; --replica-id fetches as a follower.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/replicate.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create orders -p 3 -c segment.bytes=8192 -c retention.ms=3600000 -q
seq 1 3000 | kq-produce orders -q --batch-bytes 1024
start_kq_serve
src="kafka://$KQ_SERVE"

run kq-replicate -t orders "$src" dst
expect_rc 0 "sync from the server"
same_logs "$KQ_DIR" dst --records-only
run kq-topics -d dst describe orders
expect_out_contains "retention.ms=3600000"
run kq-compact -d dst --verify
expect_rc 0 "verify"
run kq-replicate -t orders -j --replica-id 1 "$src" dst
expect_rc 0 "second run as replica 1"
expect_out_contains '"batches":0'

kq-replicate -t orders -f --replica-id 1 --status-file st.json "$src" dst 2>follow.err &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT
seq 1 50 | kq-produce -b "$KQ_SERVE" orders -q
for i in $(seq 1 100); do
  [ "$(kq-consume -d dst orders -e -q 2>/dev/null | wc -l)" -eq 3050 ] && break
  sleep 0.1
done
[ "$(kq-consume -d dst orders -e -q | wc -l)" -eq 3050 ] || fail "--follow did not pick up new records: $(cat follow.err)"
kill -TERM "$pid"
wait "$pid" || fail "--follow exited $?: $(cat follow.err)"
same_logs "$KQ_DIR" dst --records-only

run kq-replicate kafka://127.0.0.1:1 dst2
expect_rc 1 "unreachable server"
expect_err_contains "127.0.0.1:1"
run kq-replicate --replica-id 1 "$KQ_DIR" dst3
expect_rc 2 "--replica-id with a directory"
pass
