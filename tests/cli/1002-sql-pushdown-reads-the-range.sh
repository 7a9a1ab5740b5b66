#!/usr/bin/env bash
# Pushdown, measured with --stats: on a topic holding a day (one record a
# second), a one-hour ts range reads a few percent of the bytes a full scan
# reads; an offset range of one partition fewer still; each gives the rows
# the unpushed query gives. What is read past the range's own bytes is a
# fixed cost per partition (a tail check, an index seek, the last chunk),
# so the ratio only improves on larger topics (bench/sql_bench.sh).
. "$(dirname "$0")/helpers.sh"

/usr/bin/python3 - >day.json <<'PY'
import json
t0 = 1793491200000
pad = "x" * 60
for i in range(86400):
    print(json.dumps({"ts": t0 + i * 1000, "key": "k%d" % (i % 100),
                      "payload": json.dumps({"i": i, "pad": pad})}))
PY
kq-produce --batch-bytes 16384 -J day <day.json

# bytes read, from --stats
bytes_of() { sed -n 's/^kq-sql: .* rows, \([0-9]*\) bytes read.*/\1/p' <<<"$ERR"; }

run kq-sql --stats -N "SELECT count(*) FROM day"
expect_out 86400
all=$(bytes_of)
from=$((1793491200000 + 12 * 3600000))
to=$((from + 3600000))
run kq-sql --stats -N "SELECT count(*), min(ts) = $from, max(ts) = $to - 1000 FROM day
                       WHERE ts >= $from AND ts < $to"
expect_out "3600	1	1"
hour=$(bytes_of)
run kq-sql -N "SELECT count(*) FROM day WHERE +ts >= $from AND +ts < $to"
expect_out 3600 "the same rows without pushdown"
echo "one hour of a day: $hour of $all bytes ($((hour * 1000 / all)) per mille)"
[ $((hour * 100)) -le $((all * 10)) ] || fail "a one-hour range read $hour of $all bytes"

run kq-sql --stats -N "SELECT count(*), min(offset), max(offset) FROM day
                       WHERE partition = 0 AND offset BETWEEN 40000 AND 40099"
expect_out "100	40000	40099"
expect_err_contains "scan day: partition [0..0] offset [40000..40099] ts all"
few=$(bytes_of)
[ $((few * 100)) -le $((all * 2)) ] || fail "100 offsets read $few of $all bytes"
run kq-sql --stats -N "SELECT count(*) FROM day WHERE partition = 1"
expect_out 0
[ "$(bytes_of)" -lt 1000 ] || fail "a partition the topic does not have was read"
pass
