#!/usr/bin/env bash
# Avro written by kq (avro-c) is read by python3-avro, an independent
# implementation, and the other way round, over every Avro type: int, long,
# float, double, boolean, bytes, string, enum, fixed, array, map, a union
# and a nested record.
. "$(dirname "$0")/helpers.sh"
py=/usr/bin/python3
$py -c 'import avro.io' 2>/dev/null || fail "python3-avro is not installed"
script="$(dirname "$0")/schema_avro_python.py"

cat >all.avsc <<'S'
{"type":"record","name":"All","namespace":"t","fields":[
 {"name":"i","type":"int"},{"name":"l","type":"long"},{"name":"f","type":"float"},
 {"name":"d","type":"double"},{"name":"b","type":"boolean"},{"name":"raw","type":"bytes"},
 {"name":"s","type":"string"},{"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y","Z"]}},
 {"name":"digest","type":{"type":"fixed","name":"F","size":4}},
 {"name":"arr","type":{"type":"array","items":"long"}},
 {"name":"m","type":{"type":"map","values":"string"}},
 {"name":"u","type":["null","string","long"]},
 {"name":"inner","type":{"type":"record","name":"In","fields":[{"name":"x","type":"int"}]}}]}
S
# kq's input is Avro's JSON encoding (unions wrapped); python's is plain.
cat >kq.jsonl <<'S'
{"i":-7,"l":1234567890123,"f":1.5,"d":-2.25,"b":true,"raw":"\u0000\u00ff\u0001","s":"héllo","e":"Z","digest":"abcd","arr":[1,-2,300000],"m":{"k":"v"},"u":{"long":42},"inner":{"x":9}}
{"i":2147483647,"l":-1,"f":0,"d":1e300,"b":false,"raw":"","s":"","e":"X","digest":"\u0000\u0000\u0000\u0001","arr":[],"m":{},"u":null,"inner":{"x":-1}}
S
kq-produce --value-schema all.avsc avro <kq.jsonl || fail "kq-produce"
id=$(kq-schemas get avro-value --json | $py -c 'import json,sys; print(json.load(sys.stdin)["id"])')
run bash -c "kq-consume avro -J | $py '$script' all.avsc read $id"
expect_rc 0
expect_out '{"arr": [1, -2, 300000], "b": true, "d": -2.25, "digest": "abcd", "e": "Z", "f": 1.5, "i": -7, "inner": {"x": 9}, "l": 1234567890123, "m": {"k": "v"}, "raw": "\u0000\u00ff\u0001", "s": "h\u00e9llo", "u": 42}
{"arr": [], "b": false, "d": 1e+300, "digest": "\u0000\u0000\u0000\u0001", "e": "X", "f": 0.0, "i": 2147483647, "inner": {"x": -1}, "l": -1, "m": {}, "raw": "", "s": "", "u": null}'

# python3-avro writes, kq decodes.
cat >py.jsonl <<'S'
{"i":5,"l":-5,"f":2.5,"d":0.125,"b":true,"raw":"\u00fe","s":"ok","e":"Y","digest":"wxyz","arr":[7],"m":{"a":"b"},"u":"str","inner":{"x":3}}
S
$py "$script" all.avsc write "$id" <py.jsonl | kq-produce -J frompy || fail "kq-produce -J"
run kq-consume frompy -s value=avro
expect_rc 0
expect_out '{"arr":[7],"b":true,"d":0.125,"digest":"wxyz","e":"Y","f":2.5,"i":5,"inner":{"x":3},"l":-5,"m":{"a":"b"},"raw":"þ","s":"ok","u":{"string":"str"}}'
