#!/usr/bin/env bash
# kq-topics describe counts records exactly (from batch headers) across
# batches and segments, also after trims that start inside a batch, plain or
# zstd-compressed; trim by offset and by time.
. "$(dirname "$0")/helpers.sh"

if ! command -v kq-produce >/dev/null; then
  echo "skip: kq-produce is not built"
  pass
  exit 0
fi

field() {  # field PARTITION KEY: one value from `describe t --json`
  run kq-topics describe t --json
  expect_rc 0
  python3 -c "import json,sys; print(json.load(sys.stdin)[0]['partitions'][$1]['$2'])" <<<"$OUT"
}
expect_eq() { [ "$1" = "$2" ] || fail "$3: expected $2, got $1"; }

kq-topics create t --partitions 2 --config segment.bytes=2048 -q
# Many small batches over several segments in partition 0, one or two large
# compressed batches in partition 1.
seq 1 1000 | kq-produce t -p 0 --batch-bytes 300
seq 1 300 | kq-produce t -p 1 -z zstd

expect_eq "$(field 0 records)" 1000 "p0 records"
expect_eq "$(field 0 log_end_offset)" 1000 "p0 log end"
[ "$(field 0 segments)" -gt 1 ] || fail "p0 should span several segments"
expect_eq "$(field 1 records)" 300 "p1 records"
run kq-topics describe t
expect_out_contains "Topic: t  Partitions: 2  Records: 1300"

# Inside a compressed batch: only the records from offset 123 on count.
run kq-topics trim t:1 --before 123 --json
expect_rc 0
python3 -c "import json,sys; d=json.load(sys.stdin)[0]; assert (d['records_deleted'], d['log_start_offset'], d['previous_log_start_offset']) == (123, 123, 0), d" <<<"$OUT" ||
  fail "trim --json: $OUT"
expect_eq "$(field 1 records)" 177 "p1 records after trim"
expect_eq "$(field 1 log_start_offset)" 123 "p1 log start"

# Inside a small batch, removing whole segments below it.
segments_before=$(field 0 segments)
run kq-topics trim t:0 --before 555
expect_out "t-0: log start offset 0 -> 555, 555 records deleted"
expect_eq "$(field 0 records)" 445 "p0 records after trim"
[ "$(field 0 segments)" -lt "$segments_before" ] || fail "trim removed no segment"

# Trimming below the current start changes nothing.
run kq-topics trim t:0 --before 10
expect_out "t-0: log start offset 555 -> 555, 0 records deleted"

# By time: an hour ago is before every record; now is after all of them.
run kq-topics trim t --before-time -1h
expect_rc 0
expect_eq "$(field 0 records)" 445 "p0 after trim by an old time"
sleep 0.01
run kq-topics trim t --before-time now
expect_rc 0
expect_eq "$(field 0 records)" 0 "p0 after trim by now"
expect_eq "$(field 1 records)" 0 "p1 after trim by now"
expect_eq "$(field 0 log_start_offset)" 1000 "p0 log start after trim by now"

# New records after a full trim are counted from the new start.
seq 1 7 | kq-produce t -p 0
expect_eq "$(field 0 records)" 7 "p0 after producing again"
expect_eq "$(field 0 log_end_offset)" 1007 "p0 log end after producing again"
pass
