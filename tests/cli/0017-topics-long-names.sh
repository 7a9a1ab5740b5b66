#!/usr/bin/env bash
# Every name Kafka allows works in every tool, up to its 249 characters:
# create, list, produce, consume, describe, alter, trim, compact, delete.
. "$(dirname "$0")/helpers.sh"

for length in 200 247 248 249; do
  name=$(printf 't%.0s' $(seq "$length"))
  run kq-topics create "$name" -p 2
  expect_rc 0 "create a $length-character topic"
  run kq-topics list
  expect_out_contains "$name" "list shows the $length-character topic"
  printf 'a\nb\n' | kq-produce "$name" || fail "produce to a $length-character topic"
  run kq-consume "$name" -e
  expect_rc 0 "consume a $length-character topic"
  [ "$(sort <<<"$OUT")" = "$(printf 'a\nb')" ] || fail "consume printed [$OUT]"
  run kq-topics describe "$name"
  expect_rc 0 "describe a $length-character topic"
  run kq-topics alter "$name" --config retention.ms=1000
  expect_rc 0 "alter a $length-character topic"
  run kq-compact --verify "$name"
  expect_rc 0 "verify a $length-character topic"
  run kq-topics delete "$name"
  expect_rc 0 "delete a $length-character topic"
  run kq-topics list
  [ -z "$OUT" ] || fail "list after delete shows [$OUT]"
  leftovers=$(find "$KQ_DIR" -mindepth 1 -maxdepth 1 ! -name .kq ! -name '__consumer_offsets-*')
  [ -z "$leftovers" ] || fail "delete left [$leftovers]"
done

# One past the limit is refused before anything reaches the disk.
long=$(printf 't%.0s' $(seq 250))
run kq-topics create "$long"
expect_rc 2
expect_err_contains "250 characters"
[ ! -e "$KQ_DIR/$long-0" ] || fail "a refused create left a partition folder"
echo "ok"
