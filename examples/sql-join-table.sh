#!/usr/bin/env bash
# A stream joined to a table: customers is a compacted topic, and
# --table customers reads it as the latest value per key, without deleted
# (tombstoned) keys; orders stays a stream of every record.
set -euo pipefail

kq-topics create customers --config cleanup.policy=compact >/dev/null
printf 'c1\t{"name":"Ann"}\nc2\t{"name":"Bob"}\nc1\t{"name":"Ann B."}\n' | kq-produce -K '\t' customers
printf 'c1\t{"amount":12}\nc2\t{"amount":30}\nc1\t{"amount":8}\n' | kq-produce -K '\t' orders

echo "# spend per customer name"
kq-sql --table customers --csv -N \
  "SELECT json_extract(c.value, '$.name') AS name, sum(json_extract(o.value, '$.amount')) AS spent
   FROM orders o JOIN customers c USING (key) GROUP BY name ORDER BY name" | tee spend.out
[ "$(cat spend.out)" = "$(printf 'Ann B.,20\nBob,30')" ]

echo "# the stream is still there as main.customers"
kq-sql -N "SELECT count(*) FROM main.customers"
