#!/usr/bin/env bash
# "How many orders in the last hour, and how much per city?" with kq-sql:
# the topic is a table, ts is epoch ms, and json_extract reaches into the
# JSON values. The ts constraint is served from the time index (--stats
# shows what was read).
set -euo pipefail

now_ms=$(( $(date +%s) * 1000 ))
cat <<JSON | kq-produce -J orders
{"ts":$(( now_ms - 3 * 3600 * 1000 )),"key":"c1","payload":"{\"city\":\"Lyon\",\"amount\":12}"}
{"ts":$(( now_ms - 40 * 60 * 1000 )),"key":"c2","payload":"{\"city\":\"Oslo\",\"amount\":30}"}
{"ts":$(( now_ms - 10 * 60 * 1000 )),"key":"c1","payload":"{\"city\":\"Lyon\",\"amount\":8}"}
{"ts":$now_ms,"key":"c3","payload":"{\"city\":\"Oslo\",\"amount\":5}"}
JSON

echo "# orders in the last hour"
kq-sql -N "SELECT count(*) FROM orders WHERE ts > now_ms() - ms('1h')" | tee count.out
[ "$(cat count.out)" = 3 ]

echo "# per city, as CSV"
kq-sql --csv "SELECT json_extract(value, '$.city') AS city, sum(json_extract(value, '$.amount')) AS total
              FROM orders WHERE ts > now_ms() - ms('1h') GROUP BY city ORDER BY city" | tee city.out
[ "$(sed -n 3p city.out)" = "Oslo,35" ]

echo "# by ten-minute window, with ISO times"
kq-sql --stats "SELECT iso(window_start(ts, '10m')) AS window, count(*) AS orders
                FROM orders GROUP BY 1"
