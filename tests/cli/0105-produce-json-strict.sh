#!/usr/bin/env bash
# kq-produce -J says what a line means: no payload field is an error naming
# the line (only an explicit "payload":null is a tombstone), an unknown field
# is an error (a warning with --lenient), and kcat's headers object form is
# accepted. As for any bad line, the lines before it are written and
# acknowledged, nothing from it on.
. "$(dirname "$0")/helpers.sh"

# A misspelt payload field would have deleted key "a".
printf '%s\n' '{"key":"a","payload":"1"}' '{"key":"a","value":"2"}' '{"key":"a","payload":"3"}' >typo.jsonl
run kq-produce -J t typo.jsonl
expect_rc 1
expect_err_contains "typo.jsonl: line 2: unknown field 'value'"
expect_err_contains "the 1 record before it was"
run kq-consume -e -J t
expect_rc 0
[ "$(printf '%s\n' "$OUT" | wc -l)" -eq 1 ] || fail "expected only line 1 written: $OUT"
expect_out_contains '"key":"a","payload":"1"'

# No payload at all, with nothing else wrong: an error naming the line.
for line in '{}' '{"key":"a"}'; do
  run sh -c "printf '%s\n' '$line' | kq-produce -J t"
  expect_rc 1 "$line"
  expect_err_contains "stdin: line 1: no 'payload' or 'payload_b64' field"
  expect_err_contains 'write "payload":null for a tombstone'
done

# An explicit null is a tombstone.
run sh -c "printf '%s\n' '{\"key\":\"a\",\"payload\":null}' | kq-produce -J t"
expect_rc 0
run kq-consume -e -J -o -1 t
expect_out_contains '"key":"a","payload":null'

# --lenient: unknown fields are named once on stderr and ignored.
printf '%s\n' '{"payload":"x","broker":1}' '{"payload":"y","broker":2,"extra":0}' >extra.jsonl
run kq-produce -J --lenient t2 extra.jsonl
expect_rc 0
expect_err_contains "warning: extra.jsonl: line 1: unknown field 'broker' ignored (--lenient)"
expect_err_contains "line 2: unknown field 'extra' ignored"
[ "$(grep -c broker <<<"$ERR")" -eq 1 ] || fail "warned more than once about 'broker': $ERR"
run kq-consume -e t2
expect_out "$(printf 'x\ny')"
# ... but a line without a payload is still an error.
run sh -c "echo '{\"value\":\"1\"}' | kq-produce -J --lenient t2"
expect_rc 1
expect_err_contains "no 'payload'"

# --lenient is only about -J.
run kq-produce --lenient t2 </dev/null
expect_rc 2
expect_err_contains "--lenient applies only to -J"

# kcat's headers object form, next to the flat array.
printf '%s\n' '{"headers":{"b":"2","a":null},"payload":"o"}' '{"headers":["b","2","a",null],"payload":"f"}' >h.jsonl
run kq-produce -J t3 h.jsonl
expect_rc 0
run kq-consume -e -J t3
expect_out_contains '"headers":["a",null,"b","2"],"key":null,"payload":"o"'
expect_out_contains '"headers":["b","2","a",null],"key":null,"payload":"f"'
pass
