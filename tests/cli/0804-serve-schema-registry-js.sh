#!/usr/bin/env bash
# A JavaScript registry client from npm (@kafkajs/confluent-schema-registry,
# installed by .ci/install-deps into .ci/node) against kq-serve
# --schema-registry: it registers Avro and JSON schemas and encodes values
# that kafkajs produces; kq-consume -s decodes them. Records kq-produce
# --value-schema writes are decoded by the JavaScript client.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"
here=$(cd "$(dirname "$0")" && pwd)
node_modules="${KQ_SOURCE_DIR:-$here/../..}/.ci/node/node_modules"
command -v node >/dev/null || fail "node is not installed: run .ci/install-deps"
[ -f "$node_modules/@kafkajs/confluent-schema-registry/package.json" ] ||
  fail "@kafkajs/confluent-schema-registry is not installed in $node_modules: run .ci/install-deps"
export NODE_PATH="$node_modules"
script="$here/schema_registry_js.js"

start_kq_serve --schema-registry 127.0.0.1:0
reg=$(sed -n 's/.*event=schema_registry address=\([^ ]*\).*/\1/p' "$KQ_TEST_TMP/.serve-log")
[ -n "$reg" ] || fail "no schema registry address"

kq-topics create points >/dev/null
node "$script" "$reg" "$KQ_SERVE" produce points || fail "the JavaScript client's produce"
run kq-consume points -s value=avro -c 2
expect_rc 0
expect_out '{"label":"one","x":1}
{"label":"two","x":-2}'
run kq-consume points -s value=json -o 2
expect_rc 0
expect_out '{"name":"ann"}
{"name":"bob"}'

# kq-produce's records, decoded by the JavaScript client.
kq-topics create kqpoints >/dev/null
printf '{"x":7,"label":"seven"}\n' | kq-produce kqpoints --value-schema points-value || fail "kq-produce"
printf '{"name":"cy"}\n' | kq-produce kqpoints --value-schema points-json-value || fail "kq-produce json"
run node "$script" "$reg" "$KQ_SERVE" decode kqpoints 2
expect_rc 0
expect_out '{"x":7,"label":"seven"}
{"name":"cy"}'
stop_kq_serve TERM
