#!/usr/bin/env bash
# kq-sql's output formats keep every value intact and tell NULL from '':
# TSV escapes, CSV quotes, JSON lines type, aligned pads; blobs are hex or
# base64; headers are the JSON array kq-consume -J prints.
. "$(dirname "$0")/helpers.sh"

printf '{"key":null,"payload":null,"headers":["h1","v1","h2",null]}\n{"key":"k","payload_b64":"/wA="}\n' |
  kq-produce -J odd.topic-name

q="SELECT 1 AS n, 2.5 AS r, 'a,b \"c\"' AS t, 'tab	nl
end' AS w, NULL AS z, '' AS e, x'00ff' AS b"
run kq-sql --csv "$q"
expect_rc 0
expect_out "$(printf 'n,r,t,w,z,e,b\n1,2.5,"a,b ""c""","tab\tnl\nend",,,x'"'"'00ff'"'"'')"
run kq-sql --tsv -N "$q"
expect_out "$(printf '1\t2.5\ta,b "c"\ttab\\tnl\\nend\t\t\tx'"'"'00ff'"'"'')"
run kq-sql --json "$q"
expect_out '{"n":1,"r":2.5,"t":"a,b \"c\"","w":"tab\tnl\nend","z":null,"e":"","b":{"b64":"AP8="}}'
run kq-sql --aligned "SELECT 1 AS n, NULL AS z, 'long text' AS t UNION ALL SELECT 100, 2, 'x'"
expect_out "$(printf 'n    z     t\n1    NULL  long text\n100  2     x')"

# Records: headers as JSON, a binary value as a blob, NULL key and value.
run kq-sql --json 'SELECT key, value, headers, typeof(value) AS t FROM "odd.topic-name"'
expect_rc 0
expect_out "$(printf '%s\n%s' \
  '{"key":null,"value":null,"headers":"[\"h1\",\"v1\",\"h2\",null]","t":"null"}' \
  '{"key":"k","value":{"b64":"/wA="},"headers":"[]","t":"blob"}')"
pass
