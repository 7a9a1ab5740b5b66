#!/usr/bin/env bash
# kq-schemas: register, re-register, list, versions, get, check, config,
# delete and validate, the _schemas records in Confluent's layout, and bad
# input (malformed, huge and deeply nested schemas) refused with nothing
# half-registered.
. "$(dirname "$0")/helpers.sh"

cat >v1.avsc <<'S'
{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"}]}
S
cat >v2.avsc <<'S'
{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},
 {"name":"note","type":["null","string"],"default":null}]}
S
cat >bad.avsc <<'S'
{"type":"record","name":"Order","namespace":"shop","fields":[{"name":"id","type":"long"},
 {"name":"qty","type":"int"}]}
S

run kq-schemas register orders-value v1.avsc
expect_rc 0; expect_out "orders-value version 1 id 1"
run kq-schemas register orders-value v1.avsc --json
expect_rc 0; expect_out '{"existed":true,"id":1,"version":1}'
run kq-schemas register orders-value v2.avsc
expect_rc 0; expect_out "orders-value version 2 id 2"

# An incompatible schema: refused, naming field and rule; nothing written.
before=$(kq-consume _schemas | wc -l)
run kq-schemas register orders-value bad.avsc
expect_rc 1
expect_err_contains "$.qty: READER_FIELD_MISSING_DEFAULT_VALUE"
run kq-schemas check orders-value bad.avsc --json
expect_rc 1
expect_out_contains '"is_compatible":false'
run kq-schemas check orders-value v2.avsc
expect_rc 0; expect_out "compatible"
[ "$(kq-consume _schemas | wc -l)" = "$before" ] || fail "a refused schema wrote records"

run kq-schemas list --json
expect_rc 0; expect_out '["orders-value"]'
run kq-schemas versions orders-value
expect_out "1
2"
run kq-schemas get orders-value 1
expect_out "$(cat v1.avsc)"
run kq-schemas get --id 2 --json
expect_out_contains '"id":2'
run kq-schemas get orders-value 9
expect_rc 1; expect_err_contains "has no version 9"
run kq-schemas get --id 77
expect_rc 1; expect_err_contains "schema id 77 not found"

# The records are Confluent's.
run kq-consume _schemas -o 0 -c 1 -f '%k'
expect_out '{"keytype":"SCHEMA","subject":"orders-value","version":1,"magic":1}'

# Levels.
run kq-schemas config
expect_out "BACKWARD"
run kq-schemas config orders-value -c none
expect_out "NONE"
run kq-schemas register orders-value bad.avsc
expect_rc 0; expect_out "orders-value version 3 id 3"
run kq-schemas config -c sideways
expect_rc 2; expect_err_contains "unknown compatibility level 'sideways'"

# validate: one verdict per line, exit 1 when any is invalid.
printf '{"id":1}\n{"id":"x"}\n{"id":1,"zz":2}\n' >lines
run kq-schemas validate v1.avsc <lines
expect_rc 1
expect_out 'line 1: valid
line 2: invalid: $.id: expected long, got string
line 3: invalid: $: record shop.Order has no field '"'"'zz'"'"
echo '{"type":"object","required":["a"]}' >s.json
run kq-schemas validate s.json -t json --json <<<'{"b":1}'
expect_rc 1
expect_out_contains '"valid":false'

# Bad schemas: clear errors (exit 2), nothing registered.
before=$(kq-consume _schemas | wc -l)
echo '{"type":"record","name":"X","fields":[{"name":"a","type":"Nope"}]}' >unknown.avsc
run kq-schemas register x-value unknown.avsc
expect_rc 2; expect_err_contains "unknown.avsc"
printf '{"type":' >cut.avsc
run kq-schemas register x-value cut.avsc
expect_rc 2; expect_err_contains "invalid JSON at byte"
head -c 200000 /dev/zero | tr '\0' '[' >deep.json
run kq-schemas register x-value deep.json -t json
expect_rc 2; expect_err_contains "nested deeper than 128 levels"
{ printf '{"type":"enum","name":"E","symbols":['; seq -f '"S%g",' 1 200000; printf '"Z"]}'; } >huge.avsc
run kq-schemas register x-value huge.avsc
expect_rc 2; expect_err_contains "the limit is 1048576"
run kq-schemas register x-value v1.avsc -t protobuf
expect_rc 2; expect_err_contains "PROTOBUF is not supported"
[ "$(kq-consume _schemas | wc -l)" = "$before" ] || fail "a bad schema wrote records"
run kq-schemas versions x-value
expect_rc 1; expect_err_contains "subject 'x-value' not found"

# Deletes: soft first, then permanent.
run kq-schemas delete orders-value --permanent
expect_rc 1; expect_err_contains "not deleted first"
run kq-schemas delete orders-value 3
expect_out "3"
run kq-schemas delete orders-value
expect_out "1
2"
run kq-schemas list
expect_out ""
run kq-schemas delete orders-value --permanent --json
expect_out "[1,2,3]"
run kq-schemas -b 127.0.0.1:1 list
expect_rc 2; expect_err_contains "-b is not supported"
