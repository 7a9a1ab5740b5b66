#!/usr/bin/env bash
# A derived stream, as ksqlDB's CREATE STREAM ... AS SELECT: a push query
# whose result rows go into a topic. Each batch it appends carries the input
# position, so stopping it (even with kill -9) and starting it again goes on
# exactly where it stood: no result lost, none written twice.
set -euo pipefail

printf 'c1\t{"amount":120}\nc2\t{"amount":30}\n' | kq-produce -K '\t' orders

big="SELECT key, json_extract(value, '$.amount') AS amount FROM orders
     WHERE json_extract(value, '$.amount') >= 100"
echo "# run the query for a moment (a service would run it without --timeout)"
kq-sql -F --timeout 1s --into big-orders --key key "$big" || true

printf 'c3\t{"amount":500}\nc1\t{"amount":5}\n' | kq-produce -K '\t' orders
echo "# started again, it picks up only what arrived since"
kq-sql -F --timeout 1s --into big-orders --key key "$big" || true

kq-consume big-orders -f '%k %s\n' | tee big.out
[ "$(cat big.out)" = "$(printf 'c1 {"key":"c1","amount":120}\nc3 {"key":"c3","amount":500}')" ]
