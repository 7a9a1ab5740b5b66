#!/usr/bin/env bash
# Confluent's own client code against kq-serve --schema-registry:
# confluent-kafka-python's SchemaRegistryClient, JSONSerializer and the Avro
# producer (python3-avro) register and produce through kq-serve, kq-consume -s
# decodes their records; kq-produce --value-schema records are decoded by
# their deserializers. Registrations through kq-schemas show over HTTP at
# once. Validation on write refuses unregistered data with INVALID_RECORD and
# appends nothing. Raw HTTP: Confluent's content type and error bodies.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"
py=/usr/bin/python3
$py -c 'import confluent_kafka, requests, jsonschema, avro' 2>/dev/null ||
  fail "python3-confluent-kafka, python3-requests, python3-jsonschema and python3-avro are needed"
script="$(dirname "$0")/schema_python.py"

start_kq_serve --schema-registry 127.0.0.1:0
reg=$(sed -n 's/.*event=schema_registry address=\([^ ]*\).*/\1/p' "$KQ_TEST_TMP/.serve-log")
[ -n "$reg" ] || fail "no schema registry address: $(cat "$KQ_TEST_TMP/.serve-log")"

$py "$script" "$reg" - client || fail "SchemaRegistryClient calls"

$py "$script" "$reg" "$KQ_SERVE" produce-json readings 3 || fail "JSONSerializer produce"
run kq-consume readings -s value=json
expect_rc 0
expect_out '{"sensor":"s0","value":0.5}
{"sensor":"s1","value":1.5}
{"sensor":"s2","value":2.5}'

$py "$script" "$reg" "$KQ_SERVE" produce-avro areadings 2 || fail "AvroProducer produce"
run kq-consume areadings -s value=avro -J
expect_rc 0
expect_out_contains '"payload":"{\"sensor\":\"a1\",\"unit\":{\"string\":\"C\"},\"value\":1.0}"'

# kq-produce's records, read by Confluent's deserializers.
printf '{"sensor":"k1","value":1.25,"unit":"F"}\n{"sensor":"k2","value":2}\n' |
  kq-produce kqavro --value-schema areadings-value || fail "kq-produce avro"
run $py "$script" "$reg" "$KQ_SERVE" consume-avro kqavro 2
expect_rc 0
expect_out '{"sensor": "k1", "unit": "F", "value": 1.25}
{"sensor": "k2", "unit": null, "value": 2.0}'
printf '{"sensor":"j1","value":3}\n' | kq-produce kqjson --value-schema readings-value ||
  fail "kq-produce json"
run $py "$script" "$reg" "$KQ_SERVE" consume-json kqjson 1
expect_rc 0
expect_out '{"sensor": "j1", "value": 3}'

# kq-schemas and HTTP see each other at once.
echo '{"type":"string"}' >s.avsc
kq-schemas register cli-value s.avsc >/dev/null
curl -fsS "http://$reg/subjects/cli-value/versions/latest" >out || fail "GET latest"
grep -q '"subject":"cli-value"' out || fail "kq-schemas registration not seen over HTTP: $(cat out)"
curl -fsS -X PUT -d '{"compatibility":"NONE"}' "http://$reg/config/cli-value" >/dev/null
run kq-schemas config cli-value
expect_out "NONE"

# Confluent's error bodies and content type.
curl -sS -D headers -o body "http://$reg/subjects/nope/versions" || true
grep -qi '^content-type: application/vnd.schemaregistry.v1+json' headers || fail "content type: $(cat headers)"
grep -q '^HTTP/1.1 404' headers || fail "status: $(cat headers)"
[ "$(cat body)" = '{"error_code":40401,"message":"subject '"'"'nope'"'"' not found"}' ] || fail "body: $(cat body)"
curl -sS -o body -w '%{http_code}' -X POST -d '{"schema":"{\"type\":"}' \
  "http://$reg/subjects/x-value/versions" >code || true
[ "$(cat code)" = 422 ] || fail "malformed schema: $(cat code) $(cat body)"
grep -q '"error_code":42201' body || fail "malformed schema body: $(cat body)"
curl -sS -o body -w '%{http_code}' "http://$reg/schemas/ids/12345" >code || true
[ "$(cat code)" = 404 ] && grep -q '"error_code":40403' body || fail "unknown id: $(cat body)"
curl -sS -o body -w '%{http_code}' "http://$reg/subjects/readings-value/versions/zero" >code || true
[ "$(cat code)" = 422 ] && grep -q '"error_code":42202' body || fail "bad version: $(cat body)"
printf 'GARBAGE\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/${reg%:*}/${reg#*:}; cat >&3; cat <&3" |
  head -1 | grep -q '^HTTP/1.1 400' || fail "garbage request not answered 400"
run kq-schemas versions x-value
expect_rc 1

# Validation on write through kq-serve: kcat's plain value is refused.
kq-topics alter readings --config confluent.value.schema.validation=true >/dev/null
n=$(kq-consume readings | wc -l)
echo hello | kcat -b "$KQ_SERVE" -P -t readings 2>kcat.err || true
grep -q "failed to validate record" kcat.err || fail "kcat: $(cat kcat.err)"
$py "$script" "$reg" "$KQ_SERVE" produce-json readings 1 || fail "a registered value refused"
[ "$(kq-consume readings | wc -l)" = "$((n + 1))" ] || fail "refused records were appended"
stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC"
