#!/usr/bin/env bash
# kq-produce --follow: a file that appears later, --from-end for a file new
# to the topic, a truncated file, keys and headers, files spread over
# partitions by path, and the flags it refuses.
. "$(dirname "$0")/helpers.sh"
pid=
trap 'kill -9 $pid 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT

# wait_values TOPIC EXPECTED: until the topic's values, space-separated, are EXPECTED.
wait_values() {
  local deadline=$((SECONDS + 10)) got
  while :; do
    got=$(kq-consume "$1" -f '%s ' 2>/dev/null || true)
    [ "$got" = "$2" ] && return 0
    [ $SECONDS -lt $deadline ] || fail "$1 holds [$got], expected [$2]"
    sleep 0.05
  done
}

printf 'old1\nold2\n' >a.log
kq-produce --follow --from-end --poll-ms 50 -K = -H src=test t a.log later.log 2>follow.err &
pid=$!
sleep 0.3
echo 'k1=new1' >>a.log
wait_values t "new1 "
printf 'l1\nl2' >later.log          # appears later; its last line is not complete yet
wait_values t "new1 l1 "
echo >>later.log                     # now it is
wait_values t "new1 l1 l2 "
: >a.log                             # truncated: read again from its start
echo 'after' >>a.log
wait_values t "new1 l1 l2 after "
kill -TERM $pid
wait $pid || fail "exit $? after SIGTERM: $(cat follow.err)"
pid=
expect_line() { grep -qx -- "$1" <<<"$OUT" || fail "no line [$1] in [$OUT]"; }
run kq-consume t -f '%k %s\n'
expect_line "k1 new1"
run kq-consume t -J -o 0 -c 1
expect_out_contains '"headers":["src","test","kq.position","kq.position/1\nF '
expect_out_contains 'a.log\n"]' 
grep -q 'a.log: file truncated' follow.err || fail "no note of the truncation: $(cat follow.err)"

# A restart with nothing new appends nothing; --from-end does not apply to
# files the topic already has a position for.
kq-produce --follow --from-end --poll-ms 50 t a.log later.log 2>>follow.err &
pid=$!
echo 'again' >>later.log
wait_values t "new1 l1 l2 after again "
kill -TERM $pid
wait $pid
pid=

# Files are spread over partitions by their path; -p puts them all on one.
kq-topics create spread --partitions 4 >/dev/null 2>&1
for f in f1 f2 f3 f4 f5 f6; do echo "$f" >$f.log; done
kq-produce --follow --poll-ms 50 spread f1.log f2.log f3.log f4.log f5.log f6.log &
pid=$!
deadline=$((SECONDS + 10))
until [ "$(kq-consume spread 2>/dev/null | wc -l)" -eq 6 ]; do
  [ $SECONDS -lt $deadline ] || fail "spread holds $(kq-consume spread | wc -l) lines"
  sleep 0.05
done
kill -TERM $pid
wait $pid
pid=
[ "$(kq-consume spread -f '%p\n' | sort -u | wc -l)" -gt 1 ] || fail "all files on one partition"

run kq-produce --follow -J t a.log
expect_rc 2
expect_err_contains "-J cannot be used with it"
run kq-produce --follow t
expect_rc 2
expect_err_contains "--follow needs at least one FILE"
run kq-produce --follow t a.log a.log
expect_rc 2
run kq-produce --follow --from-end --from-beginning t a.log
expect_rc 2
run kq-produce --follow -p 9 t a.log
expect_rc 2
expect_err_contains "-p 9: topic 't' has 1 partition"
pass
