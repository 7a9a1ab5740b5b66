#!/usr/bin/env bash
# Exit codes and messages at the terminal: a bad topic name is a usage error
# (exit 2) in kq-consume as in the other tools; -G '' is a usage error; an
# unknown subcommand is named; CLI11's "Could not convert" and nlohmann's
# exception tags stay out of messages; counts are singular when 1; a
# possessive is not doubled ('t''s); -X without -b and -d with -b get a note
# saying they do nothing.
. "$(dirname "$0")/helpers.sh"

echo a | kq-produce t

for tool in "kq-consume -e" "kq-produce"; do
  run $tool 'a/b' </dev/null
  expect_rc 2 "$tool a/b"
  expect_err_contains "topic name 'a/b' contains '/'"
done

run kq-consume -G '' -e t
expect_rc 2
expect_err_contains "--group: the group name is empty"

run kq-topics frob
expect_rc 2
expect_err_contains "'frob' is not a subcommand (one of: create, list, describe, alter, delete, trim"
run kq-topics -d "$KQ_DIR" frob
expect_err_contains "'frob' is not a subcommand"
run kq-topics
expect_rc 2
expect_err_contains "a subcommand is required (one of: create,"

run kq-consume -c abc t
expect_rc 2
expect_err_contains "--count: 'abc' is not a number"
case "$ERR" in *"Could not convert"*) fail "CLI11's message leaked: $ERR" ;; esac

run sh -c "echo '{\"payload\":' | kq-produce -J t"
expect_rc 1
expect_err_contains "stdin: line 1: invalid JSON: parse error at column 12: syntax error"
expect_err_contains "the 0 records before it were"
case "$ERR" in *"json.exception"*) fail "nlohmann's tag leaked: $ERR" ;; esac

run sh -c "printf '%s\n' '{\"payload\":\"x\"}' '{\"payload\":' | kq-produce -J t"
expect_err_contains "the 1 record before it was"
run kq-produce -v t2 <<<"one"
expect_err_contains "wrote 1 record ("

kq-topics create big --config max.message.bytes=100
run sh -c "head -c 300 /dev/zero | tr '\0' x | kq-produce big"
expect_rc 1
expect_err_contains "max.message.bytes of topic 'big'"
case "$ERR" in *"''s"*) fail "doubled quote: $ERR" ;; esac

run kq-topics trim t --before 1
expect_out "t-0: log start offset 0 -> 1, 1 record deleted"

# Flags that do nothing get a note (not an error); -q silences it.
run kq-consume -e -X socket.timeout.ms=100 t2
expect_rc 0
expect_out "one"
expect_err_contains "kq-consume: note: -X/--property does nothing without -b/--brokers"
run kq-consume -q -e -X socket.timeout.ms=100 t2
[ -z "$ERR" ] || fail "-q did not silence the note: $ERR"
run kq-topics list -d "$KQ_DIR" -b 127.0.0.1:1 -X socket.timeout.ms=200 -X metadata.request.timeout.ms=200
expect_err_contains "kq-topics: note: -d/--dir does nothing with -b/--brokers"
case "$ERR" in *"-X/--property does nothing"*) fail "-X noted although -b was given: $ERR" ;; esac
# $KQ_DIR alone is no reason for a note.
run kq-topics list -b 127.0.0.1:1 -X socket.timeout.ms=200
case "$ERR" in *"note:"*) fail "note without -d on the command line: $ERR" ;; esac

# kq-compact --verify says a batch's offset once, not "(offset 17): offset 17".
for i in 1 2 3 4 5; do echo "$i" | kq-produce v; done
pos=$(kq-compact --dump v | sed -n 's/^baseOffset: 2 .* position: \([0-9]*\) .*/\1/p')
[ -n "$pos" ] || fail "no position for offset 2 in the dump"
printf 'X' | dd of="$KQ_DIR/v-0/00000000000000000000.log" bs=1 seek=$((pos + 3)) conv=notrunc 2>/dev/null
run kq-compact --verify v
expect_rc 1
expect_err_contains "offset 3 goes backwards"
case "$ERR" in *"(offset 3): offset 3"*) fail "offset repeated: $ERR" ;; esac
pass
