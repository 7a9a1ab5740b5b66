#!/usr/bin/env bash
# A compacted topic refuses a record without a key, as Kafka does (compaction
# would only drop it): the error names the input line, the records before it
# are written, nothing from it on. An empty key is a key.
. "$(dirname "$0")/helpers.sh"

kq-topics create users --config cleanup.policy=compact
printf 'a\t1\nb\t2\nno key here\nc\t3\n' >in.tsv
run kq-produce -K '\t' users in.tsv
expect_rc 1
expect_err_contains "in.tsv: line 3: a record without a key: topic 'users' is compacted (cleanup.policy=compact)"
expect_err_contains "the 2 records before it were"
run kq-consume -e -f '%k=%s\n' users
expect_out "$(printf 'a=1\nb=2')"

# -J: a keyless line (also a keyless tombstone) is refused the same way.
run sh -c "echo '{\"payload\":null}' | kq-produce -J users"
expect_rc 1
expect_err_contains "stdin: line 1: a record without a key"

# compact,delete too; an empty key passes; delete-only topics take anything.
kq-topics create both --config cleanup.policy=compact,delete
run sh -c "echo v | kq-produce both"
expect_rc 1
expect_err_contains "(cleanup.policy=compact,delete)"
run sh -c "printf '\tv\n' | kq-produce -K '\t' both"
expect_rc 0
run sh -c "echo v | kq-produce plain"
expect_rc 0
pass
