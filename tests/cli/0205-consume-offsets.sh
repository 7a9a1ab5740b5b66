#!/usr/bin/env bash
# The -o forms (beginning, end, N, -N per partition, s@/e@, @T1:T2), -c, -D,
# -K, -f with %d, --ordered, TOPIC:PARTITION and -t, and flags placed before
# the topic operand.
. "$(dirname "$0")/helpers.sh"

kq-topics create t --partitions 2 >/dev/null 2>&1 || fail "create"
cat <<'JSON' | kq-produce -J t
{"partition":0,"ts":1700000000000,"key":"a","payload":"p0-0"}
{"partition":1,"ts":1700000000500,"key":"b","payload":"p1-0"}
{"partition":0,"ts":1700000001000,"key":"c","payload":"p0-1"}
{"partition":1,"ts":1700000001500,"key":null,"payload":"p1-1"}
{"partition":0,"ts":1700000002000,"key":"e","payload":"p0-2"}
JSON

run kq-consume t
expect_rc 0
expect_out "$(printf 'p0-0\np0-1\np0-2\np1-0\np1-1')"

run kq-consume -o -1 t
expect_out "$(printf 'p0-2\np1-1')" "-o -1 takes the last record of each partition"

run kq-consume -o end t
expect_rc 0
expect_out "" "-o end"

run kq-consume t:0 -o 1
expect_out "$(printf 'p0-1\np0-2')" "absolute offset"

run kq-consume -t t:1 -o 5
expect_out "" "an offset past the end starts at the end"

run kq-consume t --ordered
expect_out "$(printf 'p0-0\np1-0\np0-1\np1-1\np0-2')" "--ordered"

run kq-consume t --ordered -o s@1700000001000
expect_out "$(printf 'p0-1\np1-1\np0-2')" "s@MS"

run kq-consume t --ordered -o e@1700000001000
expect_out "$(printf 'p0-0\np1-0')" "e@MS"

run kq-consume t --ordered -o @2023-11-14T22:13:20.500Z:2023-11-14T22:13:22Z
expect_out "$(printf 'p1-0\np0-1\np1-1')" "@T1:T2 with ISO-8601 times"

run kq-consume t --ordered -o @1700000000500:1700000001500
expect_out "$(printf 'p1-0\np0-1')" "@T1:T2 with epoch ms"

run kq-consume t --ordered -c 2
expect_out "$(printf 'p0-0\np1-0')" "-c"

run kq-consume t:1 -K '='
expect_out "$(printf 'b=p1-0\n=p1-1')" "-K with a null key"

run kq-consume t:0 -D ','
expect_out "p0-0,p0-1,p0-2," "-D"

run kq-consume t:0 -c 1 -f '%t %p %o %T %d %k %K %s %S\n'
expect_out "t 0 0 1700000000000 2023-11-14T22:13:20.000Z a 1 p0-0 4" "-f tokens"

# Offsets below the log start (trimmed) are skipped with a note, not an error;
# -q keeps the note back.
kq-topics trim t:0 --before 2 -q || fail "trim"
run kq-consume t:0 -o 0
expect_rc 0 "start below the log start"
expect_out "p0-2"
expect_err_contains "t:0: offsets 0..1 are gone (retention or trim); continuing at 2"
run kq-consume t:0 -o 0 -q
expect_out "p0-2"
[ -z "$ERR" ] || fail "-q still printed: $ERR"
# Asking for the last N records when fewer remain is no skip: no note.
run kq-consume t:0 -o -3
expect_rc 0
expect_out "p0-2"
[ -z "$ERR" ] || fail "-o -3 on a trimmed partition printed a note: $ERR"
pass
