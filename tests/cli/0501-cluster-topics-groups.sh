#!/usr/bin/env bash
# kq-topics -b and kq-groups -b against librdkafka's mock cluster: what the
# mock supports works with directory mode's output shape; what it lacks
# (CreateTopics, DescribeConfigs, DeleteRecords, ListGroups, DeleteGroups)
# fails with exit 1 and a message naming the operation.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/mock_cluster.sh"

start_mock_cluster orders:3 logs:1
B=$MOCK_BROKERS
printf 'a\nb\nc\n' | kq-produce -b "$B" -p 1 orders

# topics list and describe.
run kq-topics -b "$B" list
expect_rc 0
expect_out "$(printf 'logs\norders')"
run kq-topics -b "$B" list --json
expect_out '[{"name":"logs","partitions":1},{"name":"orders","partitions":3}]'
run kq-topics -b "$B" describe orders
expect_rc 0
expect_out_contains "Topic: orders  Partitions: 3  Records: 3 (approx)  Bytes: -"
expect_out_contains "$(printf '1          0         3       3        -      -')"
expect_out_contains "Config: unavailable"
expect_err_contains "describe config of topic 'orders'"
# offsets: the watermarks, and the offset for a time (the mock finds no
# offset by time: -1, which means the log end, as in directory mode).
run kq-topics -b "$B" offsets orders --json
expect_rc 0
expect_out '[{"earliest":0,"latest":0,"partition":0,"topic":"orders"},{"earliest":0,"latest":3,"partition":1,"topic":"orders"},{"earliest":0,"latest":0,"partition":2,"topic":"orders"}]'
run kq-topics -b "$B" offsets orders --at -0s
expect_rc 0
expect_out "$(printf 'Topic   Partition  Offset\norders  0          0\norders  1          3\norders  2          0')"
run kq-topics -b "$B" offsets nosuch
expect_rc 1
expect_err_contains "topic 'nosuch' does not exist"
run kq-topics -b "$B" describe nosuch
expect_rc 1
expect_err_contains "topic 'nosuch' does not exist"

# What the mock lacks fails clearly, naming the operation.
run kq-topics -b "$B" create fresh
expect_rc 1
expect_err_contains "create topic 'fresh'"
run kq-topics -b "$B" trim orders:1 --before 2
expect_rc 1
expect_err_contains "trim orders-1"
run kq-topics -b "$B" trim orders --before-time -1h
expect_rc 1
expect_err_contains "trim orders-"
run kq-topics -b "$B" trim orders:1 --before 9
expect_rc 1
expect_err_contains "--before 9: partition orders-1 ends at offset 3"
run kq-topics -b "$B" alter orders --partitions 2
expect_rc 1
expect_err_contains "the count can only grow"
run kq-topics -b 127.0.0.1:1 list
expect_rc 1
expect_err_contains "cannot reach the cluster at '127.0.0.1:1'"
run kq-topics -b "$B" -X bad list
expect_rc 2
expect_err_contains "-X: 'bad' is not key=value"

# groups: a -G consumer commits what it printed; describe shows the lag.
printf 'd\ne\n' | kq-produce -b "$B" logs
printf 'x\n' | kq-produce -b "$B" -p 0 orders
X="-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000"
run kq-consume -b "$B" $X -G billing -c 1 logs
expect_out "d"
run kq-groups -b "$B" describe billing
expect_rc 0
expect_out "$(printf 'TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  MEMBER\nlogs   0          1               2               1    -')"
expect_err_contains "cannot describe the members of group 'billing'"
run kq-groups -b "$B" describe billing --json
expect_out_contains '"current_offset":1,"lag":1,"log_end_offset":2,"member":null,"partition":0,"topic":"logs"'
run kq-groups -b "$B" describe nobody
expect_rc 1
expect_err_contains "group 'nobody' has no committed offsets and no members"

# reset: the plan, without changing anything.
run kq-groups -b "$B" reset billing --to-earliest
expect_rc 0
expect_out "$(printf 'TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET\nlogs   0          1               0')"
expect_err_contains "Dry run"
run kq-groups -b "$B" reset billing --to-latest --topic orders:1,2 --json
expect_out '[{"current_offset":null,"new_offset":3,"partition":1,"topic":"orders"},{"current_offset":null,"new_offset":0,"partition":2,"topic":"orders"}]'
run kq-groups -b "$B" reset billing --to-latest --topic orders:5
expect_rc 1
expect_err_contains "partition orders-5 does not exist"
# --execute on a group that never had a member (the mock refuses commits
# from outside a group that had members, with Kafka's UNKNOWN_MEMBER_ID).
run kq-groups -b "$B" reset fresh --to-offset 1 --topic orders:1 --execute
expect_rc 0
run kq-groups -b "$B" describe fresh
expect_out "$(printf 'TOPIC   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  MEMBER\norders  1          1               3               2    -')"
run sh -c "kq-consume -b '$B' $X -G fresh orders | sort"
expect_out "$(printf 'b\nc\nx')"

# What the mock lacks: listing groups and deleting them.
run kq-groups -b "$B" list
expect_rc 1
expect_err_contains "list groups"
run kq-groups -b "$B" delete billing
expect_rc 1
expect_err_contains "delete group 'billing'"
run kq-groups -b 127.0.0.1:1 describe billing
expect_rc 1
expect_err_contains "cannot reach the cluster at '127.0.0.1:1'"
pass
