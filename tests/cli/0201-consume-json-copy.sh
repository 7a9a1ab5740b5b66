#!/usr/bin/env bash
# `kq-consume -J a | kq-produce -J b` copies a topic losslessly: binary values
# with NUL and invalid UTF-8, null keys and values, empty strings, duplicate
# headers and header values that are null or binary all survive, as do
# timestamps and partitions.
. "$(dirname "$0")/helpers.sh"

# NUL, invalid UTF-8 (a lone 0xff) and plain text, as envelope lines.
cat > in.jsonl <<'JSON'
{"partition":0,"ts":1700000000000,"key":"k1","payload":"plain text"}
{"partition":1,"ts":1700000000001,"key":null,"payload":"null key"}
{"partition":0,"ts":1700000000002,"key":"tomb","payload":null}
{"partition":1,"ts":1700000000003,"key":"","payload":""}
{"partition":0,"ts":1700000000004,"key_b64":"AP8A","payload_b64":"/wBhYgA="}
{"partition":1,"ts":1700000000005,"headers":["h","1","h","2","n",null,"b",{"b64":"/w=="}],"key":"dup","payload":"headers"}
{"partition":0,"ts":1700000000006,"key":"unicode","payload":"h\u00e9llo \t\"quoted\" \\ \u0001"}
JSON
kq-topics create a --partitions 2 >/dev/null 2>&1 || fail "create a"
kq-topics create b --partitions 2 >/dev/null 2>&1 || fail "create b"
kq-produce -J a < in.jsonl || fail "produce -J a"
kq-consume -J a | kq-produce -J b || fail "copy a -> b"

strip() { sed -E 's/"topic":"[^"]*","partition":([0-9]+),"offset":[0-9]+/"partition":\1/'; }
kq-consume -J a | strip > a.jsonl
kq-consume -J b | strip > b.jsonl
[ "$(wc -l < a.jsonl)" -eq 7 ] || fail "expected 7 records in a, got $(wc -l < a.jsonl)"
cmp a.jsonl b.jsonl || { diff a.jsonl b.jsonl >&2; fail "b differs from a"; }

grep -q '"key":null,"payload":"null key"' a.jsonl || fail "null key lost: $(cat a.jsonl)"
grep -q '"key":"tomb","payload":null' a.jsonl || fail "null value lost"
grep -q '"key":"","payload":""' a.jsonl || fail "empty strings lost"
grep -q '"key_b64":"AP8A","payload_b64":"/wBhYgA="' a.jsonl || fail "binary bytes lost"
grep -q '"headers":\["h","1","h","2","n",null,"b",{"b64":"/w=="}\]' a.jsonl || fail "headers lost"

# The raw bytes come out as they went in.
printf '\377\000ab\000' > want.bin
kq-consume a:0 -o 2 -c 1 -D '' 2>/dev/null > got.bin && fail "-D '' must be refused" || true
kq-consume a:0 -o 2 -c 1 -f '%s' > got.bin || fail "consume -f %s"
cmp want.bin got.bin || fail "binary value differs"
pass
