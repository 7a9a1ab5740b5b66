#!/usr/bin/env bash
# kq-serve with kcat: 100,000 keyed records through kcat -P come back
# byte-identical from kcat -C; kcat -L lists the topics; records written by
# kq-produce -d on the served directory are fetched by kcat at once, and
# records produced through the server are read by kq-consume -d.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create keyed --partitions 4 || fail "create keyed"
start_kq_serve

awk 'BEGIN { for (i = 0; i < 100000; i++) printf "key%06d\tvalue %06d %s\n", i, i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' > in.txt
kcat -b "$KQ_SERVE" -P -t keyed -K '\t' -X linger.ms=5 < in.txt || fail "kcat -P failed"
kcat -b "$KQ_SERVE" -C -t keyed -e -q -f '%k\t%s\n' | sort > out.txt || fail "kcat -C failed"
cmp in.txt out.txt || fail "kcat round trip: records differ"
# The same records, read from the directory by kq-consume.
kq-consume keyed -f '%k\t%s\n' | sort > dir.txt || fail "kq-consume -d failed"
cmp in.txt dir.txt || fail "kq-consume -d does not see what kcat produced"
# Each key went to one partition, as librdkafka's partitioner put it.
[ "$(kcat -b "$KQ_SERVE" -C -t keyed -e -q -f '%k %p\n' | sort -u | cut -d' ' -f1 | uniq -d | wc -l)" -eq 0 ] ||
  fail "a key is on two partitions"

# kcat -L: brokers, topics and partitions.
run kcat -b "$KQ_SERVE" -L
expect_rc 0
expect_out_contains 'topic "keyed" with 4 partitions'
expect_out_contains "1 brokers:"

# Auto-creation on produce (auto.create.topics.enable defaults to true).
printf 'a\nb\nc\n' | kcat -b "$KQ_SERVE" -P -t fresh || fail "produce to a new topic failed"
run kq-consume fresh
expect_rc 0
expect_out "$(printf 'a\nb\nc')"

# The internal topic is not created by a client's request, nor written by
# clients (Kafka refuses both too).
run kcat -b "$KQ_SERVE" -P -t __consumer_offsets -X message.timeout.ms=3000 <<<'garbage'
[ "$RC" -ne 0 ] || fail "a client created __consumer_offsets"
[ ! -d "$KQ_DIR/__consumer_offsets-0" ] || fail "a client's write created __consumer_offsets"
kq-consume keyed -G g -c 1 > /dev/null || fail "a serverless group commit"  # now it exists
commits=$(kq-consume __consumer_offsets | wc -l)
run kcat -b "$KQ_SERVE" -P -t __consumer_offsets -X message.timeout.ms=3000 <<<'garbage'
[ "$RC" -ne 0 ] || fail "a client wrote to __consumer_offsets"
expect_err_contains "nvalid topic"
[ "$(kq-consume __consumer_offsets | wc -l)" -eq "$commits" ] || fail "a client's record reached __consumer_offsets"

# A follower sees what another process appends to the directory at once:
# kcat waits in a long-poll fetch, kq-produce writes beside the server.
kq-topics create live || fail "create live"
kcat -b "$KQ_SERVE" -C -t live -o beginning -c 3 -q -f '%s\n' > live.txt &
KCAT=$!
sleep 0.5
printf 'one\ntwo\nthree\n' | kq-produce live || fail "kq-produce -d beside the server failed"
start=$(date +%s%N)
wait "$KCAT" || fail "kcat -C -c 3 failed"
elapsed_ms=$(( ($(date +%s%N) - start) / 1000000 ))
[ "$(cat live.txt)" = "$(printf 'one\ntwo\nthree')" ] || fail "kcat got [$(cat live.txt)]"
[ "$elapsed_ms" -lt 3000 ] || fail "kcat took ${elapsed_ms} ms to see records appended beside the server"

# A clean stop: SIGTERM, exit 0, and the log says so.
stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC on SIGTERM: $(cat "$KQ_TEST_TMP/.serve-log")"
grep -q 'event=stopped status=ok' "$KQ_TEST_TMP/.serve-log" || fail "no clean stop in the log"
pass
