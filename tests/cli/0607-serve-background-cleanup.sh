#!/usr/bin/env bash
# kq-serve runs retention and compaction in the background, every
# log.retention.check.interval.ms, while it keeps serving: expired segments
# go (the log start moves, clients see it), a compacted topic keeps the
# latest value per key, and log.cleaner.enable=false leaves compaction out.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create old --config retention.ms=1000 --config segment.bytes=4096 || fail "create old"
kq-topics create keys --config cleanup.policy=compact --config segment.bytes=4096 \
  --config min.cleanable.dirty.ratio=0.01 || fail "create keys"
awk 'BEGIN { for (i = 0; i < 2000; i++) printf "record %05d xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", i }' |
  kq-produce old || fail "produce old"
produce_rounds() {  # 20 rounds of 50 keys, one batch (and so segment) each
  for r in $(seq -w 0 19); do
    awk -v r="$r" 'BEGIN { for (k = 0; k < 50; k++) printf "k%02d\tround %s\n", k, r }' |
      kq-produce -K '\t' keys || fail "produce keys"
  done
}
produce_rounds
before_keys=$(kq-consume keys | wc -l)
sleep 1.2  # every record of `old` is now past retention.ms

start_kq_serve --config log.retention.check.interval.ms=300
# The log start of `old` moves to the end (everything expired), seen through
# the server; `keys` loses the older values of its keys.
for i in $(seq 100); do
  start=$(kcat -b "$KQ_SERVE" -Q -t old:0:-2 2>/dev/null | awk '{ print $NF }')
  [ "${start:-0}" -ge 2000 ] && break
  sleep 0.1
done
[ "${start:-0}" -ge 2000 ] || fail "retention did not run in the server: log start of old is ${start:-?}"
for i in $(seq 100); do
  after_keys=$(kq-consume keys | wc -l)
  [ "$after_keys" -lt 500 ] && break
  sleep 0.1
done
[ "$after_keys" -lt 500 ] || fail "compaction did not run: $before_keys -> $after_keys records"
# The latest value of every key survived.
kq-consume keys -f '%k %s\n' | sort | awk '{ last[$1] = $0 } END { for (k in last) print last[k] }' | sort > latest.txt
[ "$(grep -c 'round 19' latest.txt)" -eq 50 ] || fail "latest values lost: $(head -3 latest.txt)"
grep -q 'event=cleanup ' "$KQ_TEST_TMP/.serve-log" || fail "no cleanup log line"
# The server still serves while and after cleaning.
printf 'fresh\n' | kcat -b "$KQ_SERVE" -P -t old || fail "produce after cleanup"
[ "$(kcat -b "$KQ_SERVE" -C -t old -e -q)" = "fresh" ] || fail "consume after cleanup"
stop_kq_serve TERM

# log.cleaner.enable=false: retention only.
produce_rounds
n=$(kq-consume keys | wc -l)
start_kq_serve --config log.retention.check.interval.ms=200 --config log.cleaner.enable=false
sleep 1.5
[ "$(kq-consume keys | wc -l)" -eq "$n" ] || fail "compaction ran with log.cleaner.enable=false"
stop_kq_serve TERM
pass
