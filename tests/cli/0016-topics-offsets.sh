#!/usr/bin/env bash
# kq-topics offsets: each partition's earliest and latest offset, or with
# --at the first offset whose timestamp is >= TIME (Kafka's ListOffsets, kcat
# -Q): out-of-order timestamps 3000, 1000, 2000 and --at 1500 give offset 0;
# past every record, the log end. Text and --json.
. "$(dirname "$0")/helpers.sh"

kq-topics create t --partitions 2 -q
printf '%s\n' '{"payload":"a","partition":0,"ts":3000}' '{"payload":"b","partition":0,"ts":1000}' \
  '{"payload":"c","partition":0,"ts":2000}' '{"payload":"d","partition":1,"ts":4000}' |
  kq-produce -J t
echo '{"payload":"e","partition":0,"ts":5000}' | kq-produce -J t

run kq-topics offsets t
expect_rc 0
expect_out "$(printf 'Topic  Partition  Earliest  Latest\nt      0          0         4\nt      1          0         1')"

run kq-topics offsets t --at 1500 -j
expect_out '[{"offset":0,"partition":0,"timestamp":1500,"topic":"t"},{"offset":0,"partition":1,"timestamp":1500,"topic":"t"}]'
run kq-topics offsets t --at 4500
expect_out "$(printf 'Topic  Partition  Offset\nt      0          3\nt      1          1')"
run kq-topics offsets t --at 6000 -j
expect_out '[{"offset":4,"partition":0,"timestamp":6000,"topic":"t"},{"offset":1,"partition":1,"timestamp":6000,"topic":"t"}]'
run kq-topics offsets t --at 1970-01-01T00:00:04Z -j
expect_out_contains '{"offset":0,"partition":1,"timestamp":4000,"topic":"t"}'

# The earliest offset follows a trim.
kq-topics trim t:0 --before 3 >/dev/null
run kq-topics offsets t --json
expect_out '[{"earliest":3,"latest":4,"partition":0,"topic":"t"},{"earliest":0,"latest":1,"partition":1,"topic":"t"}]'

run kq-topics offsets t --at soon
expect_rc 2
expect_err_contains "--at: 'soon' is not a time"
run kq-topics offsets nope
expect_rc 1
expect_err_contains "topic 'nope' does not exist"
run kq-topics offsets
expect_rc 2
pass
