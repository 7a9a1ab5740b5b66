#!/usr/bin/env bash
# The README's lossless copy works for a topic of many partitions: a topic
# that kq-produce -J creates gets as many partitions as its input names, and
# every record lands in the partition it came from. A topic that exists is
# never grown: a record for a partition it lacks is refused, naming it.
. "$(dirname "$0")/helpers.sh"

kq-topics create src -p 4 >/dev/null 2>&1
seq 1 400 | sed 's/^/k/; s/$/\tv/' | kq-produce -K '\t' src
run sh -c "kq-consume -J src | kq-produce -J dst"
expect_rc 0 "copy into a new topic"
run kq-topics describe dst --json
expect_out_contains '"partition_count":4'
for p in 0 1 2 3; do
  a=$(kq-consume -e -f '%o %k %s\n' src:$p)
  b=$(kq-consume -e -f '%o %k %s\n' dst:$p)
  [ -n "$a" ] || fail "source partition $p is empty"
  [ "$a" = "$b" ] || fail "partition $p differs after the copy"
done

kq-topics create small -p 1 >/dev/null 2>&1
run sh -c "kq-consume -J src | kq-produce -J small"
expect_rc 1
expect_err_contains "partition 1 does not exist in topic 'small'"
run kq-topics describe small --json
expect_out_contains '"partition_count":1'
echo "ok"
