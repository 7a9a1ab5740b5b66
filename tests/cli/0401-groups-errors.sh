#!/usr/bin/env bash
# kq-groups bad input: unknown groups and topics (exit 1), bad flags, names,
# times and partition lists (exit 2), and nothing is changed by a failure.
. "$(dirname "$0")/helpers.sh"

run kq-groups list
expect_rc 1
expect_err_contains "does not exist"

kq-topics create t --partitions 2 >/dev/null 2>&1
printf 'a\nb\n' | kq-produce -q t -p 0

for sub in describe delete; do
  run kq-groups $sub nope
  expect_rc 1 "$sub of an unknown group"
  expect_err_contains "kq-groups: group 'nope' does not exist"
done
run kq-groups reset nope --to-earliest
expect_rc 1
expect_err_contains "--topic"

run kq-groups
expect_rc 2
run kq-groups frobnicate
expect_rc 2
run kq-groups describe
expect_rc 2
expect_err_contains "group"
run kq-groups list --bogus
expect_rc 2
expect_err_contains "--bogus"
run kq-groups describe 'a/b'
expect_rc 2
expect_err_contains "'/'"
run kq-groups describe ''
expect_rc 2
expect_err_contains "empty"
run kq-groups reset g --topic t
expect_rc 2
expect_err_contains "exactly one"
run kq-groups reset g --to-earliest --to-latest --topic t
expect_rc 2
expect_err_contains "exactly one"
run kq-groups reset g --to-earliest --topic t --execute --dry-run
expect_rc 2
run kq-groups reset g --to-datetime yesterday --topic t
expect_rc 2
expect_err_contains "--to-datetime"
run kq-groups reset g --to-offset abc --topic t
expect_rc 2
expect_err_contains "--to-offset"
run kq-groups reset g --to-earliest --topic t:x
expect_rc 2
expect_err_contains "partition number"
run kq-groups reset g --to-earliest --topic ../x
expect_rc 2

# Runtime errors leave no offsets behind.
run kq-groups reset g --to-earliest --topic missing --execute
expect_rc 1
expect_err_contains "topic 'missing' does not exist"
run kq-groups reset g --to-earliest --topic t:5 --execute
expect_rc 1
expect_err_contains "t-5"
run kq-groups reset g --shift-by 1 --topic t --execute
expect_rc 1
expect_err_contains "no committed offset"
run kq-groups list
expect_rc 0
expect_out ""

run kq-groups list -b 127.0.0.1:1
expect_rc 1
expect_err_contains "cannot reach the cluster at '127.0.0.1:1'"
pass
