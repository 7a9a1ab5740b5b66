#!/usr/bin/env bash
# kcat -L for kcat users: `kq -L` and `kq metadata` print what
# `kq-topics describe` prints (every topic, or the ones named, kcat's
# `-t TOPIC` included), pass other flags through, and are listed by
# `kq --help`; `kq help metadata` shows kq-topics describe's help.
. "$(dirname "$0")/helpers.sh"

kq-topics create orders --partitions 2 -q
kq-topics create users -q
seq 5 | kq-produce orders

run kq-topics describe
expect_rc 0
all=$OUT
run kq-topics describe orders
orders=$OUT

for alias in -L metadata; do
  run kq $alias
  expect_rc 0 "kq $alias"
  expect_out "$all" "kq $alias"
  run kq $alias orders
  expect_out "$orders" "kq $alias orders"
  run kq $alias -t orders
  expect_out "$orders" "kq $alias -t orders"
  run kq $alias -torders
  expect_out "$orders" "kq $alias -torders"
  run kq $alias -t orders --json
  expect_rc 0
  case $OUT in '[{'*'"name":"orders"'*) ;; *) fail "kq $alias -t orders --json printed [$OUT]" ;; esac
  # Errors and exit codes are kq-topics describe's.
  run kq $alias -t nope
  expect_rc 1
  expect_err_contains "topic 'nope' does not exist"
done

run kq --help
expect_out_contains "metadata"
expect_out_contains "-L [ARGS]"
run kq help metadata
expect_rc 0
expect_out_contains "$(kq-topics describe --help | head -1)"
