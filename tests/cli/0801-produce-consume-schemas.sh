#!/usr/bin/env bash
# kq-produce --value-schema/--key-schema encode JSON lines in the wire
# format (a bad line names line and field, nothing after it is written),
# kq-consume -s decodes them (bytes not in the wire format are reported per
# record), and confluent.value.schema.validation refuses unregistered data.
. "$(dirname "$0")/helpers.sh"

cat >order.avsc <<'S'
{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},
 {"name":"item","type":"string"},{"name":"note","type":["null","string"],"default":null}]}
S
echo '{"type":"object","properties":{"user":{"type":"string"}},"required":["user"]}' >key.json

printf '%s\n' '{"user":"ann"}	{"id":1,"item":"pen"}' '{"user":"bob"}	{"id":2,"item":"ink","note":{"string":"x"}}' \
  '{"user":"cy"}	{"id":"3","item":"cup"}' '{"user":"dee"}	{"id":4,"item":"mug"}' >in.tsv
run kq-produce -K '\t' --value-schema order.avsc --key-schema key.json orders in.tsv
expect_rc 1
expect_err_contains 'in.tsv: line 3: value does not fit schema id 1 (orders-value version 1): $.id: expected long, got string'
expect_err_contains "the 2 records before it were"
run kq-schemas list
expect_out "orders-key
orders-value"

# Raw bytes: magic 0, id 1 big-endian, Avro binary (id 1 zigzag 02, "pen").
bytes=$(kq-consume orders -c 1 -f '%s' | od -An -tx1 | tr -d ' \n')
[ "$bytes" = "0000000001020670656e00" ] || fail "wire bytes: $bytes"
run kq-consume orders -s value=avro -s key=json -f '%k %s\n'
expect_rc 0
expect_out '{"user":"ann"} {"id":1,"item":"pen","note":null}
{"user":"bob"} {"id":2,"item":"ink","note":{"string":"x"}}'
run kq-consume orders -s value=json
expect_rc 1; expect_err_contains "schema id 1 is AVRO, not JSON"

# A registered subject, by version.
echo '{"id":5,"item":"box"}' | kq-produce orders --value-schema orders-value:1 || fail "by subject"
run kq-produce orders --value-schema nope-value <<<'{}'
expect_rc 1; expect_err_contains "'nope-value' is neither a schema file nor a registered subject"

# Bytes not in the wire format: reported per record, the others printed.
printf 'abc\n\0\0\0\0\x09xyz\n' | kq-produce orders
run kq-consume orders -s value=avro -f '%o %s\n'
expect_rc 1
expect_out_contains '2 {"id":5,"item":"box","note":null}'
expect_err_contains "orders:0@3: value: not in the schema wire format: 3 bytes"
expect_err_contains "orders:0@4: value: schema id 9: schema id 9 not found"
expect_err_contains "2 records could not be decoded"

# Validation on write: only values registered under orders-value.
kq-topics alter orders --config confluent.value.schema.validation=true >/dev/null
n=$(kq-consume orders | wc -l)
run kq-produce orders <<<'plain'
expect_rc 1; expect_err_contains "value refused by confluent.value.schema.validation: not in the schema wire format"
echo '{"type":"string"}' >other.avsc
kq-schemas register other-value other.avsc >/dev/null
kq-consume other-value 2>/dev/null || true
printf '{"id":6,"item":"a"}\n' | kq-produce orders --value-schema order.avsc || fail "valid value refused"
run kq-produce orders --value-schema other-value <<<'"s"'
expect_rc 1; expect_err_contains "schema id 3 is not registered under subject 'orders-value'"
printf '\0\0\0\0\x01\x02' | kq-produce -D '\t' orders 2>err || true
grep -q "payload does not decode with schema id 1" err || fail "truncated payload accepted: $(cat err)"
[ "$(kq-consume orders | wc -l)" = "$((n + 1))" ] || fail "refused records were written"
