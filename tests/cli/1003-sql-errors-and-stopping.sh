#!/usr/bin/env bash
# kq-sql's failures: bad SQL gets SQLite's message with the line, byte and a
# caret; a missing topic is named with the closest one; a missing directory,
# a bad --table and bad flags are clear; --timeout stops a runaway query
# (exit 124) and so does Ctrl-C (exit 130), each within moments.
. "$(dirname "$0")/helpers.sh"

printf 'a\nb\n' | kq-produce orders
printf 'x\n' | kq-produce page-views

run kq-sql "SELECT * FORM orders"
expect_rc 1
expect_err_contains 'near "FORM": syntax error (line 1, byte 9)'
expect_err_contains "$(printf '  SELECT * FORM orders\n           ^')"
run kq-sql "SELECT 1;
SELECT offset FROM orders WHERE nosuch = 1"
expect_rc 1
expect_err_contains "no such column: nosuch (line 2, byte 42)"

run kq-sql "SELECT * FROM ordres"
expect_rc 1
expect_err_contains "no such table: ordres (no topic 'ordres' in $KQ_DIR; did you mean 'orders'?)"
run kq-sql "SELECT count(*) FROM page-views"
expect_rc 1
expect_err_contains 'near "-": syntax error'
run kq-sql -N 'SELECT count(*) FROM "page-views"'
expect_rc 0
expect_out 1

run kq-sql --table custmers "SELECT 1"
expect_rc 1
expect_err_contains "--table custmers: no topic 'custmers'"
run kq-sql -d "$KQ_TEST_TMP/nowhere" "SELECT 1"
expect_rc 1
expect_err_contains "nowhere"
run kq-sql -N "SELECT ms('1x')"
expect_rc 1
expect_err_contains "ms(): '1x' is not a duration"
run kq-sql --timeout soon "SELECT 1"
expect_rc 2
expect_err_contains "--timeout: 'soon' is not a duration"
run kq-sql --csv --json "SELECT 1"
expect_rc 2
run kq-sql
expect_rc 2
run kq-sql -b 127.0.0.1:9 "SELECT 1"
expect_rc 1
expect_err_contains "cluster mode is not available"

forever="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c)
         SELECT count(*) FROM c, orders"
start=$(date +%s%N)
run kq-sql --timeout 300ms "$forever"
expect_rc 124
expect_err_contains "stopped by --timeout 300ms"
took=$((($(date +%s%N) - start) / 1000000))
[ "$took" -lt 5000 ] || fail "--timeout 300ms took $took ms"

kq-sql "$forever" >/dev/null 2>ctrl-c.err &
pid=$!
sleep 0.3
kill -INT "$pid"
set +e
wait "$pid"
RC=$?
set -e
ERR=$(cat ctrl-c.err)
expect_rc 130
expect_err_contains "interrupted"
pass
