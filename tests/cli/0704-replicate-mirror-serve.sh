#!/usr/bin/env bash
# kq-replicate DIR kafka://HOST:PORT mirrors topics into a Kafka-protocol
# server (kq-serve) with keys, values, headers and timestamps; progress is a
# group's committed offsets in the source directory, so a rerun sends only
# what is new, and --topic selects topics.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

src=$KQ_TEST_TMP/src
kq-topics -d "$src" create orders -p 2 -q
kq-topics -d "$src" create other -q
printf '{"key":"k%d","payload":"v%d","headers":["h","x%d"],"ts":%d}\n' \
  $(for i in $(seq 1 200); do echo "$i $i $i $((1700000000000 + i))"; done) |
  kq-produce -d "$src" -J orders -q
echo solo | kq-produce -d "$src" other -q

start_kq_serve
run kq-replicate -t orders --json "$src" "kafka://$KQ_SERVE"
expect_rc 0 "mirror"
expect_out_contains '"records":200'
expect_out_contains "\"group\":\"kq-replicate.$KQ_SERVE\""
kq-topics list | grep -qx other && fail "--topic did not filter"

# Same partitions, keys, values, headers and timestamps (offsets are the
# cluster's; here both start at 0).
fmt='%p %k %s %T %h\n'
kq-consume -d "$src" orders -e -q -f "$fmt" | sort >want.txt
kq-consume -b "$KQ_SERVE" orders -e -q -f "$fmt" | sort >got.txt
[ -s want.txt ] || fail "nothing read from the source"
cmp want.txt got.txt || fail "mirrored records differ: $(diff want.txt got.txt | head -5)"

# A rerun sends nothing; new records alone follow.
run kq-replicate -t orders -j "$src" "kafka://$KQ_SERVE"
expect_out_contains '"records":0'
printf '{"key":"k%d","payload":"new%d"}\n' 201 201 202 202 | kq-produce -d "$src" -J orders -q
run kq-replicate -t orders -j "$src" "kafka://$KQ_SERVE"
expect_out_contains '"records":2'
[ "$(kq-consume -b "$KQ_SERVE" orders -e -q | wc -l)" -eq 202 ] || fail "expected 202 records in the server"
run kq-groups -d "$src" describe "kq-replicate.$KQ_SERVE"
expect_rc 0 "the progress group"
expect_out_contains "orders"
pass
