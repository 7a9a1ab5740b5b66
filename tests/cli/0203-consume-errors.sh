#!/usr/bin/env bash
# Bad input gets a clear message and the right exit code: usage errors (bad
# offsets and flags) exit 2 naming the flag; a missing topic or a corrupt
# batch exits 1 naming what and where, after printing (and flushing) every
# good record before the damage, and never printing damaged bytes.
. "$(dirname "$0")/helpers.sh"

printf 'a\nb\nc\n' | kq-produce t || fail "produce"

run kq-consume nope
expect_rc 1 "missing topic"
expect_err_contains "kq-consume: topic 'nope' does not exist in $KQ_DIR"

run kq-consume t:7
expect_rc 1 "missing partition"
expect_err_contains "no partition 7"

run kq-consume t -o abc
expect_rc 2 "bad offset"
expect_err_contains "-o: 'abc' is not an offset"

run kq-consume t -o -1h
expect_rc 2 "relative time without @"
expect_err_contains "-o"

run kq-consume t -o stored
expect_rc 2 "stored without a group"
expect_err_contains "-G"

run kq-consume t -c 0
expect_rc 2 "zero count"
expect_err_contains "-c/--count"

run kq-consume t -c -1
expect_rc 2 "negative count"
expect_err_contains "-1 is not a positive number"

run kq-consume t -f '%x'
expect_rc 2 "bad format token"
expect_err_contains "-f"

run kq-consume t -K '\q'
expect_rc 2 "bad escape"
expect_err_contains "-K"

run kq-consume t -J -K ,
expect_rc 2 "two output modes"
expect_err_contains "-J/--json"

run kq-consume t -e -F
expect_rc 2 "-e with -F"
expect_err_contains "-F/--follow"

run kq-consume t --no-such-flag
expect_rc 2 "unknown flag"
expect_err_contains "--no-such-flag"

run kq-consume
expect_rc 2 "no topic"
expect_err_contains "no topic"

run kq-consume -G g t:0
expect_rc 2 "partition with a group"
expect_err_contains "-G/--group"

run kq-consume -b 127.0.0.1:1 t
expect_rc 1 "unreachable brokers"
expect_err_contains "cannot reach the cluster at '127.0.0.1:1'"

run kq-consume -b 127.0.0.1:1 --ordered t
expect_rc 2 "--ordered with -b"
expect_err_contains "--ordered: not supported with -b"

run kq-consume t
expect_rc 0
expect_out "$(printf 'a\nb\nc')"

# A corrupt batch: three good batches, then one with a flipped payload byte.
printf 'd\n' | kq-produce t
printf 'BROKEN-VALUE\n' | kq-produce t
printf 'e\n' | kq-produce t
log="$KQ_DIR/t-0/00000000000000000000.log"
pos=$(grep -boa 'BROKEN-VALUE' "$log" | head -1 | cut -d: -f1)
[ -n "$pos" ] || fail "could not find the value in the segment"
printf 'X' | dd of="$log" bs=1 seek="$pos" conv=notrunc status=none
run kq-consume t
expect_rc 1 "corrupt batch"
expect_out "$(printf 'a\nb\nc\nd')"
expect_err_contains "t-0"
expect_err_contains "00000000000000000000.log"
expect_err_contains "position"
expect_err_contains "offset 4"
expect_err_contains "CRC"
case "$OUT" in *ROKEN*) fail "damaged bytes were printed" ;; esac

# A pipe reader gets the good records too (flushed before the error).
set +o pipefail
got=$(kq-consume t 2>/dev/null | cat)
set -o pipefail
[ "$got" = "$(printf 'a\nb\nc\nd')" ] || fail "pipe got [$got]"
pass
