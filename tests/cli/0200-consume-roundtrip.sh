#!/usr/bin/env bash
# 2,000,000 lines of 100 bytes with tab-separated keys go through
# `kq-produce -K '\t' t` and come back byte-identical from
# `kq-consume t -f '%k\t%s\n'`; the plain value output matches too.
. "$(dirname "$0")/helpers.sh"

awk 'BEGIN { for (i = 0; i < 2000000; i++) printf "key%07d\tv%07d%s\n", i, i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" }' > in.txt
[ "$(wc -c < in.txt)" -eq 200000000 ] || fail "generator made $(wc -c < in.txt) bytes"

kq-produce -K '\t' t < in.txt || fail "kq-produce failed"
kq-consume t -f '%k\t%s\n' > out.txt || fail "kq-consume -f failed"
cmp in.txt out.txt || fail "-f '%k\\t%s\\n' output differs from the input"

kq-consume t -K '\t' > out2.txt || fail "kq-consume -K failed"
cmp in.txt out2.txt || fail "-K '\\t' output differs from the input"

cut -f2 in.txt > values.txt
kq-consume t > out3.txt || fail "kq-consume failed"
cmp values.txt out3.txt || fail "value output differs from the values"
pass
