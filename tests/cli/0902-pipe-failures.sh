#!/usr/bin/env bash
# kq-pipe: CMD failing, hanging, answering too few or too many lines is an
# error naming the offset involved, and nothing is appended for that record;
# a restart after fixing CMD goes on exactly there. Bad usage and a garbled
# position in OUT are refused clearly.
. "$(dirname "$0")/helpers.sh"

seq 1 10 | kq-produce in 2>/dev/null
values() { kq-consume "$1" -f '%s ' 2>/dev/null; }

# Hangs after 4 answers: killed after --timeout, the 4 answers are kept.
run kq-pipe --map --timeout 300 in o1 -- sh -c 'head -n 4; sleep 30'
expect_rc 1
expect_err_contains "did not answer the record at offset 4 of in:0 within 300 ms"
[ "$(values o1)" = "1 2 3 4 " ] || fail "o1 holds [$(values o1)]"
# The restart goes on at offset 4, exactly once.
run kq-pipe --map in o1 -- cat
expect_rc 0
[ "$(values o1)" = "1 2 3 4 5 6 7 8 9 10 " ] || fail "o1 after the restart holds [$(values o1)]"

# Ends early (too few lines).
run kq-pipe --map in o2 -- sh -c 'head -n 2'
expect_rc 1
expect_err_contains "ended (exit status 0) before answering the record at offset 2 of in:0"
[ "$(values o2)" = "1 2 " ] || fail "o2 holds [$(values o2)]"

# Too many lines: found at the end at the latest.
run kq-pipe --map in o3 -- sh -c 'cat; echo extra'
expect_rc 1
expect_err_contains "printed more lines than it was given"

# Without --map: a failing run appends nothing for its records.
run kq-pipe --batch-records 4 in o4 -- sh -c 'read x; [ "$x" != 5 ] && wc -l || exit 3'
expect_rc 1
expect_err_contains "failed (exit status 3) on the records at offsets 4..7 of in:0"
[ "$(values o4)" = "3 " ] || fail "o4 holds [$(values o4)]"

# An empty answer drops the record; keys and headers are kept; a restart
# with nothing new appends nothing.
printf 'a:1\nb:drop\nc:3\n' | kq-produce -K : -H h=v keyed 2>/dev/null
kq-pipe --map keyed o5 -- sed -u 's/^drop$//'
kq-pipe --map keyed o5 -- sed -u 's/^drop$//'
run kq-consume o5 -f '%k=%s %h\n'
expect_out "a=1 h=v
c=3 h=v,kq.position=kq.position/1
T 0 3 keyed"

# A garbled position header in OUT: refused, naming topic, partition, offset.
printf 'x\n' | kq-produce -H 'kq.position=kq.position/9' bad 2>/dev/null
run kq-pipe --map in bad -- cat
expect_rc 1
expect_err_contains "topic 'bad' partition 0 offset 0"
expect_err_contains "kq.position line 1"

# A value holding a newline: the records before it go through, then it is reported.
printf 'a\nb\n' | kq-produce nl 2>/dev/null
printf 'x\ny\n' | kq-produce -l nl - 2>/dev/null
run kq-pipe --map nl o8 -- cat
expect_rc 1
expect_err_contains "record at offset 2 of nl:0: the value holds a newline"
[ "$(values o8)" = "a b " ] || fail "o8 holds [$(values o8)]"

run kq-pipe in
expect_rc 2
expect_err_contains "expected IN OUT -- CMD"
run kq-pipe --map -K : in o6 -- cat
expect_rc 2
run kq-pipe in o7 -- /nonexistent/cmd
expect_rc 1
expect_err_contains "cannot run '/nonexistent/cmd'"
# A filter that buffers its output (sed without -u) answers in bursts as its
# buffer fills, and the rest when IN's end closes its input: reading,
# writing and answering overlap, so the run completes (one thread waiting for
# each round's answers before writing the next would wait forever).
seq 1 20000 | kq-produce big 2>/dev/null
run timeout 60 kq-pipe --map --batch-records 100 big obig -- sed 's/^/y/'
expect_rc 0
kq-consume obig | cmp -s - <(seq 1 20000 | sed 's/^/y/') || fail "obig is not big transformed once"
# --timeout counts from when an answer is due: a -F stage idle for longer
# than it does not time out on the first record that comes after (CMD takes
# 0.2 s per answer, well within the 0.6 s).
seq 1 3 | kq-produce idle 2>/dev/null
kq-pipe --map -F --timeout 600 idle oidle -- sh -c 'while read -r l; do sleep 0.2; echo "$l"; done' \
  2>idle.err &
pid=$!
wait_for() { for _ in $(seq 100); do [ "$(values oidle)" = "$1" ] && return 0; sleep 0.05; done; return 1; }
wait_for "1 2 3 " || fail "oidle holds [$(values oidle)]: $(cat idle.err)"
sleep 1
seq 4 5 | kq-produce idle 2>/dev/null
wait_for "1 2 3 4 5 " || fail "after a pause oidle holds [$(values oidle)]: $(cat idle.err)"
kill -TERM $pid
wait $pid || fail "exit $? after SIGTERM: $(cat idle.err)"
pass
