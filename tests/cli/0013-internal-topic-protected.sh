#!/usr/bin/env bash
# The internal topic __consumer_offsets is protected, as Kafka protects it:
# kq-topics delete and kq-produce refuse it (exit 2, saying why) unless
# --force-internal; nothing is deleted or written when refused.
. "$(dirname "$0")/helpers.sh"

echo x | kq-produce t
kq-consume -G g -e t >/dev/null   # commits: creates __consumer_offsets
[ -d "$KQ_DIR/__consumer_offsets-0" ] || fail "no offsets topic was created"

run kq-topics delete __consumer_offsets
expect_rc 2
expect_err_contains "refusing to delete internal topic '__consumer_offsets'"
expect_err_contains "deleting it resets every group"
expect_err_contains "--force-internal"
[ -d "$KQ_DIR/__consumer_offsets-0" ] || fail "refused delete removed the topic"
# Refused before anything else in the list is deleted.
run kq-topics delete t __consumer_offsets
expect_rc 2
run kq-topics list
expect_out_contains "t"

run sh -c "echo garbage | kq-produce __consumer_offsets"
expect_rc 2
expect_err_contains "refusing to write to internal topic '__consumer_offsets'"
run sh -c "echo garbage | kq-produce -t __consumer_offsets"
expect_rc 2
run kq-groups describe g
expect_rc 0
expect_out_contains "t"

# --force-internal does it.
run kq-topics delete --force-internal __consumer_offsets
expect_rc 0
[ ! -d "$KQ_DIR/__consumer_offsets-0" ] || fail "--force-internal did not delete"
run sh -c "printf 'k\tv\n' | kq-produce -K '\t' --force-internal __consumer_offsets"
expect_rc 0
pass
