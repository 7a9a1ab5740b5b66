#!/usr/bin/env bash
# One JSON vocabulary: kq-compact --dump --print-data --json prints each
# record exactly as kq-consume -J does (kcat's names: payload/payload_b64,
# key/key_b64, flat headers, tstype, ts) after "type":"record"; batch lines
# give the CRC as 8 hex digits, as every kq message does; record lines go
# back through kq-produce -J --lenient.
. "$(dirname "$0")/helpers.sh"

printf 'k1\tv1\n' | kq-produce -K '\t' -H h=1 -H h=2 t
printf '\xff\tv\xfe\n' | kq-produce -K '\t' t
printf '{"key":"gone","payload":null}\n' | kq-produce -J t

run kq-compact --dump --print-data --json t
expect_rc 0
dump_records=$(grep '"type":"record"' <<<"$OUT" | sed 's/^{"type":"record",/{/')
[ "$dump_records" = "$(kq-consume -e -J t)" ] ||
  fail "dump records differ from kq-consume -J: $(diff <(echo "$dump_records") <(kq-consume -e -J t))"
expect_out_contains '"headers":["h","1","h","2"],"key":"k1","payload":"v1"}'
expect_out_contains '"key_b64":"/w==","payload_b64":"dv4="}'
expect_out_contains '"key":"gone","payload":null}'
case "$OUT" in *value_base64*|*'"value"'*|*'"timestamp"'*) fail "old names in the dump: $OUT" ;; esac

# Batch lines: the CRC as in the text dump and in messages.
crc_text=$(kq-compact --dump t | sed -n '2s/.* crc: \([0-9a-f]*\) .*/\1/p')
[ ${#crc_text} -eq 8 ] || fail "no CRC in the text dump"
expect_out_contains "\"crc\":\"$crc_text\""
expect_out_contains '"tstype":"create"'

# The record lines copy a topic, like kq-consume -J.
grep '"type":"record"' <<<"$OUT" >records.jsonl
run kq-produce -J --lenient copy records.jsonl
expect_rc 0
expect_err_contains "unknown field 'type' ignored"
[ "$(kq-consume -e -J copy | sed 's/"topic":"copy"/"topic":"t"/' | sed 's/"ts":[0-9]*//')" = \
  "$(kq-consume -e -J t | sed 's/"ts":[0-9]*//')" ] || fail "copy from the dump differs"
pass
