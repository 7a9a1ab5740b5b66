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
pass
