#!/usr/bin/env bash
# kq-topics on bad input: a clear message, the right exit code (2 for usage
# errors, 1 for runtime errors), and nothing changed.
. "$(dirname "$0")/helpers.sh"

kq-topics create orders -q

long=$(printf 'a%.0s' $(seq 250))
# exit code | expected stderr text | command...
table=(
  "2|contains '/'|kq-topics create ../x"
  "2|contains '/'|kq-topics create a/b"
  "2|topic name is empty|kq-topics create ''"
  "2|250 characters long|kq-topics create $long"
  "2|contains '/'|kq-topics describe ../x"
  "2|contains '/'|kq-topics delete a/b"
  "2|contains '/'|kq-topics trim ../x --before 0"
  "2|valid names: cleanup.policy|kq-topics create t --config nosuch.key=1"
  "2|retention.ms|kq-topics create t --config retention.ms=soon"
  "2|is not KEY=VALUE|kq-topics create t --config retention.ms"
  "2|valid names|kq-topics alter orders --delete-config nosuch.key"
  "2|nothing to change|kq-topics alter orders"
  "2|--partitions: 0 partitions is out of range (from 1 to 10000)|kq-topics create t --partitions 0"
  "2|--partitions: 'many' is not a number of partitions|kq-topics create t --partitions many"
  "2|--partitions: '12x' is not a number of partitions|kq-topics alter t --partitions 12x"
  "2|--frobnicate|kq-topics list --frobnicate"
  "2|subcommand is required|kq-topics"
  "2|exactly one of --before|kq-topics trim orders"
  "2|exactly one of --before|kq-topics trim orders --before 1 --before-time -1h"
  "2|is not an offset|kq-topics trim orders --before -5"
  "2|--before-time|kq-topics trim orders --before-time yesterday"
  "2|must be a number|kq-topics trim orders:x --before 0"
  "1|topic 'nope' does not exist in|kq-topics describe nope"
  "1|topic 'nope' does not exist in|kq-topics alter nope --partitions 3"
  "1|topic 'nope' does not exist in|kq-topics trim nope --before 0"
  "1|partition 4 of topic 'orders' does not exist|kq-topics trim orders:4 --before 0"
  "1|ends at offset 0|kq-topics trim orders --before 10"
  "1|already exists|kq-topics create orders"
  "1|cannot reach the cluster at '127.0.0.1:1'|kq-topics -b 127.0.0.1:1 list"
  "1|does not exist|kq-topics -d $KQ_TEST_TMP/missing describe"
)
for row in "${table[@]}"; do
  IFS='|' read -r want text cmd <<<"$row"
  eval "run $cmd"
  expect_rc "$want" "$cmd"
  expect_err_contains "$text" "$cmd"
  [ -z "$OUT" ] || fail "$cmd printed on stdout: [$OUT]"
done

# Nothing was created by the refused commands.
run kq-topics list
expect_out "orders"
[ ! -e "$KQ_TEST_TMP/missing" ] || fail "list created the missing directory"

# A directory that cannot be written: the message names the path.
if [ "$(id -u)" -ne 0 ]; then
  mkdir "$KQ_TEST_TMP/ro"
  kq-topics -d "$KQ_TEST_TMP/ro" create seed -q
  chmod -R a-w "$KQ_TEST_TMP/ro"
  run kq-topics -d "$KQ_TEST_TMP/ro" create t
  chmod -R u+w "$KQ_TEST_TMP/ro"
  expect_rc 1
  expect_err_contains "$KQ_TEST_TMP/ro"
else
  # root may write anywhere it has permissions for; /proc is never writable.
  run kq-topics -d /proc/self/kq-data create t
  expect_rc 1
  expect_err_contains "/proc/self/kq-data"
fi
pass
