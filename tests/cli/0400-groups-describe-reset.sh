#!/usr/bin/env bash
# kq-groups list, describe, reset (plan vs --execute, every target) and
# delete on a directory with one topic of three partitions.
. "$(dirname "$0")/helpers.sh"

kq-topics create t --partitions 3 >/dev/null 2>&1
printf 'a\nb\nc\nd\n' | kq-produce -q t -p 0
printf 'x\ny\n' | kq-produce -q t -p 1

run kq-groups list
expect_rc 0
expect_out "" "no groups yet"

# A new group gets offsets only for the partitions named with --topic.
run kq-groups reset g --to-latest --topic t --execute
expect_rc 0
expect_out "TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET
t      0          -               4
t      1          -               2
t      2          -               0"

run kq-groups list
expect_rc 0
expect_out "g"

run kq-groups list --json
expect_rc 0
expect_out '[{"committed_partitions":3,"group":"g","members":0}]'

run kq-groups describe g
expect_rc 0
expect_out "TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  MEMBER
t      0          4               4               0    -
t      1          2               2               0    -
t      2          0               0               0    -"
expect_err_contains "no active members"

# Without --execute nothing changes.
run kq-groups reset g --to-earliest
expect_rc 0
expect_out "TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET
t      0          4               0
t      1          2               0
t      2          0               0"
expect_err_contains "--execute"
run kq-groups describe g --json
expect_out_contains '"current_offset":4'

# Partition lists, shifts (clamped to the log), absolute offsets (clamped).
run kq-groups reset g --to-earliest --topic t:0,1 --execute
expect_rc 0
expect_out "TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET
t      0          4               0
t      1          2               0"
run kq-groups reset g --shift-by 3 --execute -q
expect_rc 0
expect_out "TOPIC  PARTITION  CURRENT-OFFSET  NEW-OFFSET
t      0          0               3
t      1          0               2
t      2          0               0"
[ -z "$ERR" ] || fail "-q printed [$ERR]"
run kq-groups reset g --shift-by=-1 --topic t:0 --execute --json
expect_rc 0
expect_out '[{"current_offset":3,"new_offset":2,"partition":0,"topic":"t"}]'
run kq-groups reset g --to-offset 99 --topic t:1 --execute
expect_out_contains "t      1          2               2"
run kq-groups describe g
expect_out "TOPIC  PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG  MEMBER
t      0          2               4               2    -
t      1          2               2               0    -
t      2          0               0               0    -"

# --to-datetime: the first record at or after the time (the log end when none).
run kq-groups reset g --to-datetime 1970-01-02 --topic t:0
expect_rc 0
expect_out_contains "t      0          2               0"
run kq-groups reset g --to-datetime now --topic t:0
expect_out_contains "t      0          2               4"

# The committed offsets are Kafka-layout records in __consumer_offsets.
[ -d "$KQ_DIR/__consumer_offsets-0" ] || fail "no __consumer_offsets-0 folder"

run kq-groups delete g
expect_rc 0
expect_err_contains "Deleted group 'g'"
run kq-groups list
expect_out ""
run kq-groups describe g
expect_rc 1
expect_err_contains "group 'g' does not exist"
pass
