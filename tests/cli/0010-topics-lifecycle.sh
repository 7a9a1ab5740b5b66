#!/usr/bin/env bash
# kq-topics create, list, describe, alter, trim and delete on an empty
# directory, in text and in --json (which must parse).
. "$(dirname "$0")/helpers.sh"

json() {  # json EXPR: evaluates EXPR on the JSON in $OUT (as `d`)
  python3 -c "import json,sys; d=json.loads(sys.stdin.read()); print($1)" <<<"$OUT"
}

# No directory yet: no topics (tests/cli/0014-topics-list-missing-dir.sh).
run kq-topics list
expect_rc 0 "list before the directory exists"
expect_out ""

run kq-topics create orders --partitions 3 --config retention.ms=86400000 --config cleanup.policy=compact
expect_rc 0
expect_err_contains "Created topic 'orders' with 3 partitions."
run kq-topics create logs audit -q
expect_rc 0
expect_out ""
[ -z "$ERR" ] || fail "-q still printed [$ERR]"

run kq-topics list
expect_rc 0
expect_out "$(printf 'audit\nlogs\norders')"

run kq-topics list --json
expect_rc 0
[ "$(json 'd[2]["name"], d[2]["partitions"], len(d)')" = "orders 3 3" ] || fail "list --json: $OUT"

# Options may come before or after the subcommand.
run kq-topics -d "$KQ_DIR" list -j
expect_rc 0
run kq-topics list -d "$KQ_DIR"
expect_rc 0

run kq-topics describe orders
expect_rc 0
expect_out_contains "Topic: orders  Partitions: 3  Records: 0"
expect_out_contains "retention.ms=86400000  (set)"
expect_out_contains "cleanup.policy=compact  (set)"
expect_out_contains "segment.bytes=1073741824"
case $OUT in *"segment.bytes=1073741824  (set)"*) fail "a default is marked as set" ;; esac
expect_out_contains "Partition  LogStart  LogEnd  Records  Bytes  Segments"

run kq-topics describe --json
expect_rc 0
[ "$(json '[t["name"] for t in d]')" = "['audit', 'logs', 'orders']" ] || fail "describe --json names: $OUT"
[ "$(json 'd[2]["config"]["retention.ms"]["value"], d[2]["config"]["retention.ms"]["default"]')" = "86400000 False" ] ||
  fail "describe --json config: $OUT"
[ "$(json 'd[2]["config"]["segment.ms"]["default"]')" = "True" ] || fail "describe --json default"
[ "$(json '[(p["partition"], p["records"], p["log_start_offset"], p["log_end_offset"]) for p in d[2]["partitions"]]')" = \
  "[(0, 0, 0, 0), (1, 0, 0, 0), (2, 0, 0, 0)]" ] || fail "describe --json partitions: $OUT"

run kq-topics alter orders --partitions 5 --delete-config retention.ms --config segment.ms=60000
expect_rc 0
run kq-topics describe orders --json
[ "$(json 'd[0]["partition_count"], len(d[0]["partitions"])')" = "5 5" ] || fail "alter --partitions: $OUT"
[ "$(json 'd[0]["config"]["retention.ms"]["default"], d[0]["config"]["segment.ms"]["value"]')" = \
  "True 60000" ] || fail "alter --config: $OUT"

run kq-topics alter orders --partitions 2
expect_rc 1
expect_err_contains "can only grow"
run kq-topics alter orders --partitions 9 --config retention.ms=oops
expect_rc 2
run kq-topics describe orders --json
[ "$(json 'd[0]["partition_count"]')" = "5" ] || fail "a refused alter changed the topic"

run kq-topics create orders
expect_rc 1
expect_err_contains "topic 'orders' already exists"
run kq-topics create orders --if-not-exists --partitions 7
expect_rc 0
run kq-topics describe orders --json
[ "$(json 'd[0]["partition_count"]')" = "5" ] || fail "--if-not-exists changed the topic"
# A list with one existing topic creates none of them.
run kq-topics create fresh orders
expect_rc 1
run kq-topics list
case $OUT in *fresh*) fail "create made 'fresh' although 'orders' exists" ;; esac

run kq-topics trim orders --before 0 --json
expect_rc 0
[ "$(json 'len(d), d[0]["records_deleted"], d[4]["log_start_offset"]')" = "5 0 0" ] || fail "trim --json: $OUT"
run kq-topics trim orders:1 --before end
expect_rc 0
expect_out "orders-1: log start offset 0 -> 0, 0 records deleted"

run kq-topics delete logs audit
expect_rc 0
expect_err_contains "Deleted topic 'logs'."
run kq-topics delete logs
expect_rc 1
expect_err_contains "topic 'logs' does not exist in $KQ_DIR"
run kq-topics delete logs --if-exists
expect_rc 0
# A missing topic in the list deletes nothing.
run kq-topics delete orders nope
expect_rc 1
run kq-topics list
expect_out "orders"
[ ! -d "$KQ_DIR/logs-0" ] || fail "partition folder of a deleted topic is left"

# The command line help of a subcommand.
run kq-topics trim --help
expect_rc 0
expect_out_contains "--before-time"
pass
