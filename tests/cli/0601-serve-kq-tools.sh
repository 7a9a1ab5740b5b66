#!/usr/bin/env bash
# The kq tools with -b against kq-serve behave as with -d on the same
# directory: topics created, altered, trimmed and deleted through the server
# are what the directory holds, and records round-trip either way.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

start_kq_serve
B=$KQ_SERVE

run kq-topics -b "$B" create orders --partitions 3 --config retention.ms=86400000
expect_rc 0
[ "$(kq-topics list)" = "orders" ] || fail "the directory does not list the topic created through the server"
kq-topics describe orders | grep -q 'retention.ms=86400000  (set)' || fail "config not stored"

# Keyed records through the server land by key, as kq-produce -d puts them.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "k%04d\tv%04d\n", i, i }' > in.txt
kq-produce -b "$B" -K '\t' orders < in.txt || fail "kq-produce -b failed"
kq-consume orders -f '%k\t%s\n' | sort > dir.txt
cmp in.txt dir.txt || fail "kq-consume -d does not see the records produced through the server"
kq-consume -b "$B" orders -f '%k\t%s\n' | sort > srv.txt
cmp in.txt srv.txt || fail "kq-consume -b differs from the input"
kq-consume -b "$B" orders -f '%p %o %k\n' | sort > srv-pos.txt
kq-consume orders -f '%p %o %k\n' | sort > dir-pos.txt
cmp srv-pos.txt dir-pos.txt || fail "partitions and offsets differ between -b and -d"

# Alter through the server, seen in the directory.
run kq-topics -b "$B" alter orders --partitions 5 --config retention.ms=1000
expect_rc 0
kq-topics describe orders | grep -q 'Partitions: 5' || fail "partition count not raised"
kq-topics describe orders | grep -q 'retention.ms=1000  (set)' || fail "config not altered"
run kq-topics -b "$B" alter orders --partitions 2
expect_rc 1
expect_err_contains "partitions"

# Trim through the server: the log start moves in the directory.
first=$(kq-consume orders:0 -c 1 -f "%o\n")
run kq-topics -b "$B" trim orders:0 --before $((first + 10))
expect_rc 0
kq-topics describe orders | awk '$1 == "0" { print $2 }' | grep -qx "$((first + 10))" ||
  fail "log start of partition 0 did not move: $(kq-topics describe orders)"

# Errors come back as errors.
run kq-topics -b "$B" create orders
expect_rc 1
expect_err_contains "already exists"
run kq-topics -b "$B" create 'bad name!'
[ "$RC" -ne 0 ] || fail "an invalid topic name was accepted"
run kq-topics -b "$B" describe nosuch
[ "$RC" -ne 0 ] || fail "describing a missing topic succeeded"

run kq-topics -b "$B" delete orders
expect_rc 0
[ -z "$(kq-topics list)" ] || fail "the topic is still in the directory after delete through the server"

# Changes made beside the server, in the directory, reach it: a topic deleted
# and created again by kq-topics -d (while the server holds its partitions
# open) takes new records in its new partitions, not in the old files.
kq-topics create beside || fail "create beside"
printf 'old\n' | kcat -b "$B" -P -t beside || fail "produce to beside"
kq-topics delete beside || fail "delete beside"
kq-topics create beside --partitions 2 || fail "create beside again"
printf 'new1\nnew2\n' | kcat -b "$B" -P -t beside -p 1 || fail "produce to the new beside"
[ "$(kq-consume beside:1)" = "$(printf 'new1\nnew2')" ] || fail "records went astray: $(kq-consume beside 2>&1)"
printf 'new0\n' | kcat -b "$B" -P -t beside -p 0 || fail "produce to partition 0 of the new beside"
[ "$(kq-consume beside:0)" = "new0" ] || fail "partition 0 of the new topic holds [$(kq-consume beside:0)]"
run kq-topics -b "$B" delete beside
expect_rc 0
stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC"
pass
