#!/usr/bin/env bash
# The seed question, "how many orders in the last hour" (ksqlDB's
# COUNT(*) ... WHERE order_time > NOW() - INTERVAL '1' HOUR), in kq-sql's
# syntax over a generated orders topic of three hours, answered exactly,
# with the time pushdown reading only the last hour's batches.
. "$(dirname "$0")/helpers.sh"

now=$(($(date +%s) * 1000))
# 3 hours of orders, one every 20 s, newest last; three partitions.
/usr/bin/python3 - "$now" >orders.json <<'PY'
import json, sys
now = int(sys.argv[1])
for i in range(540):
    ts = now - 3 * 3600 * 1000 + 10000 + i * 20000
    print(json.dumps({"partition": i % 3, "ts": ts, "key": "c%d" % (i % 7),
                      "payload": json.dumps({"id": i, "amount": i % 50})}))
PY
kq-topics create orders --partitions 3 >/dev/null
kq-produce -J orders <orders.json
expected=$(/usr/bin/python3 -c '
import json, sys
now = int(sys.argv[1])
print(sum(1 for l in open("orders.json") if json.loads(l)["ts"] > now - 3600000))' "$now")

run kq-sql --stats "SELECT count(*) FROM orders WHERE ts > now_ms() - ms('1h')"
expect_rc 0
# now_ms() is a little later than $now: records may only leave the hour.
got=$(sed -n 2p <<<"$OUT")
[ "$got" -le "$expected" ] && [ "$got" -ge $((expected - 1)) ] ||
  fail "orders in the last hour: expected $expected, got $got"
expect_err_contains "scan orders: partition all offset all ts ["

# The same question with a fixed time, answered exactly.
from=$((now - 3600000))
run kq-sql -N "SELECT count(*), sum(json_extract(value, '\$.amount')) > 0 FROM orders
               WHERE ts > $from"
expect_rc 0
expect_out "$expected	1"
iso=$(kq-sql -N "SELECT iso($from)")
run kq-sql -N "SELECT count(*) FROM orders WHERE ts > time_ms('$iso')"
expect_out "$expected" "time_ms parses what iso prints"
pass
