#!/usr/bin/env bash
# A follower of a whole topic picks up partitions added while it runs and
# reads them from their beginning (Kafka's consumer does on a metadata
# refresh); a follower of one named partition does not.
. "$(dirname "$0")/helpers.sh"

kq-topics create t -q || fail "create"
kq-produce t <<< "p0-first" || fail "produce"

kq-consume -F t -f '%p %s\n' > all.out 2> all.err &
all=$!
kq-consume -F t:0 -f '%p %s\n' > one.out 2> one.err &
one=$!
wait_for_line all.out "0 p0-first" 5 || fail "follower did not print the existing record"
wait_for_line one.out "0 p0-first" 5 || fail "partition follower did not print the existing record"

kq-topics alter t --partitions 3 -q || fail "alter"
# Written before and after the follower notices: both must arrive.
kq-produce t -p 2 <<< "p2-a" || fail "produce p2"
start=$(date +%s%N)
wait_for_line all.out "2 p2-a" 5 || fail "follower did not pick up partition 2: $(cat all.out all.err)"
echo "new partition followed in $(( ($(date +%s%N) - start) / 1000000 )) ms"
kq-produce t -p 1 <<< "p1-a" || fail "produce p1"
kq-produce t -p 2 <<< "p2-b" || fail "produce p2 again"
wait_for_line all.out "1 p1-a" 5 || fail "follower missed partition 1"
wait_for_line all.out "2 p2-b" 5 || fail "follower missed a later record on partition 2"
kq-produce t -p 0 <<< "p0-second" || fail "produce p0"
wait_for_line one.out "0 p0-second" 5 || fail "partition follower stopped following"

kill -TERM "$all" "$one"
wait "$all" || fail "follower exited $?: $(cat all.err)"
wait "$one" || fail "partition follower exited $?: $(cat one.err)"
[ "$(grep -c . all.out)" -eq 5 ] || fail "follower printed: $(cat all.out)"
[ "$(cat one.out)" = "$(printf '0 p0-first\n0 p0-second')" ] || fail "partition follower printed: $(cat one.out)"
pass
