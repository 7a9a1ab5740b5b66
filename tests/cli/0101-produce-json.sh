#!/usr/bin/env bash
# kq-produce -J: the envelope kq-consume -J prints goes back in losslessly
# (null vs empty, binary, duplicate headers, partitions, timestamps), and a
# malformed line stops the run: the lines before it are written, nothing from
# it on, exit 1 naming the line.
. "$(dirname "$0")/helpers.sh"

cat >in.jsonl <<'JSON'
{"key":"a","payload":"one","ts":1700000000000,"headers":["h","1","h",null,"e",""]}
{"key":null,"payload":null,"partition":1}
{"key":"","payload":""}
{"key_b64":"AP8=","payload_b64":"/wBh","partition":2,"ts":1700000000123}
{"payload":"no key field"}
JSON
run kq-produce -J --partitions 3 --report src in.jsonl
expect_rc 0
expect_out_contains '"records":5'

if command -v kq-consume >/dev/null; then
  # Copy src to dst through the envelope and compare everything but the topic.
  kq-consume -e -J src >src.jsonl
  run kq-produce -J --partitions 3 dst src.jsonl
  expect_rc 0
  kq-consume -e -J dst >dst.jsonl
  [ "$(sed 's/"topic":"src"/"topic":"X"/' src.jsonl | sort)" = \
    "$(sed 's/"topic":"dst"/"topic":"X"/' dst.jsonl | sort)" ] ||
    fail "copy differs: $(diff <(sort src.jsonl) <(sort dst.jsonl))"
  grep -q '"partition":1,.*"key":null,"payload":null' dst.jsonl || fail "null key/payload lost"
  grep -q '"ts":1700000000123,.*"key_b64":"AP8=","payload_b64":"/wBh"' dst.jsonl || fail "binary lost"
  grep -q '"headers":\["h","1","h",null,"e",""\]' dst.jsonl || fail "headers lost"
fi

# A malformed third line: lines 1-2 written, nothing from line 3 on.
printf '%s\n' '{"payload":"first"}' '{"payload":"second"}' '{"payload":' '{"payload":"after"}' >bad.jsonl
run kq-produce -J --report broken bad.jsonl
expect_rc 1
expect_err_contains "bad.jsonl: line 3"
expect_err_contains "the 2 records before it were"
expect_out_contains '"records":2'
if command -v kq-consume >/dev/null; then
  run kq-consume -e broken
  expect_out "$(printf 'first\nsecond')"
else
  ! grep -q after "$KQ_DIR"/broken-0/*.log || fail "a record after the bad line was written"
fi

# A partition the topic does not have is an error on that line too.
run sh -c "echo '{\"payload\":\"x\",\"partition\":7}' | kq-produce -J broken"
expect_rc 1
expect_err_contains "stdin: line 1: partition 7 does not exist"

# Wrong shapes: both key and key_b64, a non-object, bad base64.
for line in '{"key":"a","key_b64":"YQ==","payload":"x"}' '[1,2]' '{"payload_b64":"!!"}'; do
  run sh -c "printf '%s\n' '$line' | kq-produce -J broken"
  expect_rc 1 "$line"
  expect_err_contains "stdin: line 1:"
done

# -J does not combine with flags that describe the key or value another way.
for flags in "-K x" "-k k" "-l" "-Z"; do
  run kq-produce -J $flags broken </dev/null
  expect_rc 2 "-J $flags"
done
pass
