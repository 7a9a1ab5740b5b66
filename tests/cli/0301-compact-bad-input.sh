#!/usr/bin/env bash
# kq-compact on bad input: a clear message on stderr and the right exit code
# (2 for usage errors, 1 for runtime errors).
. "$(dirname "$0")/helpers.sh"

kq-topics create orders -q

# exit code | expected stderr text | command...
table=(
  "2|--frobnicate|kq-compact --frobnicate"
  "2|exclude each other|kq-compact --dump --verify"
  "2|exclude each other|kq-compact --repair --dry-run"
  "2|--print-data needs --dump|kq-compact --print-data"
  "2|--truncate-corrupt needs --repair|kq-compact --truncate-corrupt"
  "2|invalid size '12X'|kq-compact --max-memory 12X"
  "2|invalid size '0'|kq-compact --max-memory 0"
  "2|expected TOPIC or TOPIC:PARTITION|kq-compact orders:x"
  "1|topic 'nope' does not exist in|kq-compact nope"
  "1|topic 'nope' does not exist in|kq-compact --verify nope"
  "1|there is no partition 3|kq-compact --dump orders:3"
  "1|cluster mode is not available|kq-compact -b localhost:9092"
  "1|does not exist|kq-compact -d $KQ_TEST_TMP/missing"
)
for row in "${table[@]}"; do
  IFS='|' read -r code text cmd <<<"$row"
  eval "run $cmd"
  expect_rc "$code" "$cmd"
  expect_err_contains "kq-compact: " "$cmd"
  expect_err_contains "$text" "$cmd"
  [ -z "$OUT" ] || fail "stdout not empty for: $cmd: [$OUT]"
done

run kq-compact --help
expect_rc 0 "--help"
expect_out_contains "Examples:"
run kq-compact --version
expect_rc 0 "--version"
expect_out_contains "kq-compact "

# An empty topic verifies clean and has nothing to clean.
run kq-compact --verify orders
expect_rc 0 "verify empty"
run kq-compact orders
expect_rc 0 "clean empty"
expect_out_contains "orders-0: retention: nothing past retention.ms or retention.bytes"
pass
