#!/usr/bin/env bash
# kq-produce -b and kq-consume -b against librdkafka's mock cluster: the same
# flags give the same bytes as directory mode (keys and values, -J with nulls,
# binary and duplicate headers, --report), -G resumes where it stopped, and
# a wrong -b fails within 10 s with exit 1.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/mock_cluster.sh"

start_mock_cluster one:1 three:3 json:1 same:1 rep:2 grp:2
B=$MOCK_BROKERS

# Keyed lines through one partition come back byte-identical.
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "key%05d\tvalue %05d\n", i, i }' > in.txt
kq-produce -b "$B" -K '\t' one < in.txt || fail "kq-produce -b failed"
kq-consume -b "$B" one -f '%k\t%s\n' > out.txt || fail "kq-consume -b -f failed"
cmp in.txt out.txt || fail "-f '%k\\t%s\\n' output differs from the input"
kq-consume -b "$B" one -K '\t' > out2.txt || fail "kq-consume -b -K failed"
cmp in.txt out2.txt || fail "-K output differs from the input"

# Three partitions: every record once, each key on one partition.
kq-produce -b "$B" -K '\t' three < in.txt || fail "kq-produce -b to three partitions failed"
kq-consume -b "$B" three -f '%k\t%s\n' | sort > out3.txt
cmp in.txt out3.txt || fail "three partitions: records lost or duplicated"
[ "$(kq-consume -b "$B" three -f '%k %p\n' | sort -u | cut -d' ' -f1 | uniq -d | wc -l)" -eq 0 ] ||
  fail "a key landed on two partitions"

# -J: nulls, empty strings, binary bytes and duplicate headers survive a copy
# from a directory to the cluster and back out, envelope for envelope.
{
  printf '%s\n' '{"key":null,"payload":"v1","headers":["h","a","h","b","n",null]}'
  printf '%s\n' '{"key":"","payload":null}'
  printf '%s\n' '{"key_b64":"AP8=","payload_b64":"gICA/w==","ts":1700000000000}'
  printf '%s\n' '{"key":"k","payload":"","headers":[]}'
} > env.txt
kq-produce -J json < env.txt || fail "directory -J produce failed"
kq-consume -J json > dir.json || fail "directory -J consume failed"
kq-consume -J json | kq-produce -b "$B" -J json || fail "-J copy into the cluster failed"
kq-consume -b "$B" -J json > cluster.json || fail "cluster -J consume failed"
cmp dir.json cluster.json || fail "-J envelopes (with timestamps) differ"

# The same lines in both modes print the same with the default output and -f.
printf 'a\tone\nb\ttwo\n\tempty key\nno key\n\n' > same.txt
kq-produce -K '\t' -H src=test same < same.txt
kq-produce -b "$B" -K '\t' -H src=test same < same.txt
for fmt in '' '-f %p:%o:%k=%s:%h\n' '-K |'; do
  # shellcheck disable=SC2086
  diff <(kq-consume same $fmt) <(kq-consume -b "$B" same $fmt) ||
    fail "directory and cluster output differ (${fmt:-default})"
done

# -c and -o -N.
run kq-consume -b "$B" one -c 3
expect_rc 0
expect_out "$(printf 'value 00000\nvalue 00001\nvalue 00002')"
run kq-consume -b "$B" one -o -2
expect_out "$(printf 'value 19998\nvalue 19999')"

# --report: the same JSON shape as directory mode.
run sh -c "printf 'x\ny\nz\n' | kq-produce -b '$B' -p 1 --report rep"
expect_rc 0
expect_out '{"topic":"rep","created":false,"records":3,"bytes":3,"partitions":[{"partition":1,"records":3,"bytes":3,"first_offset":0,"last_offset":2}]}'

# -G commits what it printed; the next member resumes after it.
X="-X session.timeout.ms=6000 -X heartbeat.interval.ms=1000"
printf '1\n2\n3\n4\n5\n' | kq-produce -b "$B" -p 0 grp
run kq-consume -b "$B" $X -G g1 -c 2 grp
expect_rc 0
expect_out "$(printf '1\n2')"
run kq-consume -b "$B" $X -G g1 grp
expect_rc 0
expect_out "$(printf '3\n4\n5')"

# Errors: missing topics, partitions, a bad -p, and an unreachable cluster.
run kq-consume -b "$B" nosuch
expect_rc 1
expect_err_contains "topic 'nosuch' does not exist"
run kq-consume -b "$B" three:7
expect_rc 1
expect_err_contains "partition three-7 does not exist"
run sh -c "echo x | kq-produce -b '$B' --no-create nosuch"
expect_rc 1
expect_err_contains "topic 'nosuch' does not exist"
run sh -c "echo x | kq-produce -b '$B' -p 5 three"
expect_rc 2
expect_err_contains "-p 5: topic 'three' has 3 partitions"
start=$(date +%s)
run sh -c "echo x | kq-produce -b 127.0.0.1:1 one"
expect_rc 1
expect_err_contains "cannot reach the cluster at '127.0.0.1:1'"
run kq-consume -b 127.0.0.1:1 one
expect_rc 1
expect_err_contains "cannot reach the cluster"
[ $(( $(date +%s) - start )) -le 20 ] || fail "two unreachable runs took more than 10 s each"
# -F: a record produced later arrives; SIGINT ends it with exit 0; a reader
# that goes away ends it too, even while the topic is idle.
kq-consume -b "$B" -F -o end rep > follow.out 2>follow.err &
follower=$!
sleep 1
run sh -c "echo later | kq-produce -b '$B' -T -p 0 rep"
expect_rc 0
expect_out "later"
for i in $(seq 50); do [ -s follow.out ] && break; sleep 0.1; done
kill -INT "$follower"
wait "$follower" || fail "kq-consume -F exited $? on SIGINT: $(cat follow.err)"
[ "$(cat follow.out)" = "later" ] || fail "-F printed [$(cat follow.out)]"
run timeout 10 sh -c "kq-consume -b '$B' -F one | head -n 1"
expect_rc 0 "-F into head"
expect_out "value 00000"

# $KQ_BROKERS works like -b.
run env KQ_BROKERS="$B" kq-consume one -c 1
expect_out "value 00000"
pass
