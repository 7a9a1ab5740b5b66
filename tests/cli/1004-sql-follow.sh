#!/usr/bin/env bash
# Push queries: a filter prints each new match once, as records arrive; a
# GROUP BY prints the groups that changed after each round (a changelog);
# Ctrl-C ends a push query with exit 0, --timeout with 124.
. "$(dirname "$0")/helpers.sh"

kq-topics create orders --partitions 2 >/dev/null
printf 'a\t{"n":1}\nb\t{"n":20}\n' | kq-produce -K '\t' orders

kq-sql -F --poll-ms 20 --csv -N \
  "SELECT key, json_extract(value, '\$.n') AS n FROM orders WHERE json_extract(value, '\$.n') >= 10" \
  >filter.out 2>filter.err &
filter=$!
kq-sql -F --poll-ms 20 --csv -N "SELECT key, count(*) AS n FROM orders GROUP BY key" \
  >groups.out 2>groups.err &
groups=$!
wait_for_line filter.out "b,20" 10 || fail "the existing match was not printed: $(cat filter.out)"
wait_for_line groups.out "b,1" 10 || fail "the first round's groups: $(cat groups.out)"

printf 'a\t{"n":30}\n' | kq-produce -K '\t' orders
wait_for_line filter.out "a,30" 10 || fail "a new match was not printed: $(cat filter.out)"
wait_for_line groups.out "a,2" 10 || fail "the changed group was not printed: $(cat groups.out)"
printf 'c\t{"n":5}\nc\t{"n":50}\n' | kq-produce -K '\t' orders
wait_for_line filter.out "c,50" 10 || fail "$(cat filter.out)"
wait_for_line groups.out "c,2" 10 || fail "$(cat groups.out)"

kill -INT "$filter" "$groups"
set +e
wait "$filter"
rc_filter=$?
wait "$groups"
rc_groups=$?
set -e
[ "$rc_filter" -eq 0 ] && [ "$rc_groups" -eq 0 ] ||
  fail "Ctrl-C ended push queries with $rc_filter and $rc_groups"
[ "$(cat filter.out)" = "$(printf 'b,20\na,30\nc,50')" ] ||
  fail "each match once, in order: got [$(cat filter.out)]"
# Round one: a and b; then a changed; then c. b is never printed again.
[ "$(grep -c '^b,' groups.out)" -eq 1 ] || fail "an unchanged group was printed again: $(cat groups.out)"
[ "$(tail -n 1 groups.out)" = "c,2" ] || [ "$(tail -n 2 groups.out | head -n 1)" = "c,2" ] ||
  fail "groups: $(cat groups.out)"

run kq-sql -F --timeout 200ms -N "SELECT key FROM orders"
expect_rc 124
[ "$(wc -l <<<"$OUT")" -eq 5 ] || fail "--timeout: [$OUT]"
pass
