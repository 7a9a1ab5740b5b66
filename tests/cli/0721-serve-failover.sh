#!/usr/bin/env bash
# Failover: an idempotent acks=all producer writes to a kq-serve leader with
# one follower in sync (kq-replicate --follow --replica-id 2,
# min.insync.replicas=2). The follower is stopped, the leader gets a few
# acks=1 records only it has (its divergent tail), and is SIGKILLed in the
# middle of the stream. The follower's directory is promoted (kq-serve on it:
# the next leader epoch) and written to. Then:
#   - every acknowledged record is on the new leader exactly once;
#   - the old leader's directory, resynced from the new leader
#     (kq-replicate kafka://NEW OLD), has dropped its divergent tail and
#     holds exactly the new leader's batches at the same offsets: the .log
#     files are byte-identical.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"
. "$(dirname "$0")/serve_replication.sh"

OLD=$KQ_DIR
NEW_DIR=$KQ_TEST_TMP/follower
kq-topics create t --partitions 1 || fail "create"
start_kq_serve --config min.insync.replicas=2 --config replica.lag.time.max.ms=10000
L=$KQ_SERVE
replication_ready "$L" || { pass; exit 0; }

kq-replicate "kafka://$L" "$NEW_DIR" --follow --replica-id 2 2>follower.err &
F=$!
P=
trap 'kill -KILL $F $P 2>/dev/null || true; stop_kq_serve KILL; rm -rf "$KQ_TEST_TMP"' EXIT
in_sync() { [ "$(client isr "$L" t)" = "replicas=0,2 isr=0,2" ]; }
wait_until 30 in_sync || fail "the follower never joined the ISR: $(client isr "$L" t); $(cat follower.err)"

: > acked.txt
client produce "$L" t 100000 acked.txt 2>producer.err &
P=$!
enough() { [ "$(wc -l < acked.txt)" -ge 500 ]; }
wait_until 60 enough || fail "only $(wc -l < acked.txt) records acknowledged: $(tail -3 producer.err)"

# The follower stops; the leader appends what only it will have.
kill -STOP $F
for i in 1 2 3; do
  r=$(client send "$L" t 1 "divergent-$i")
  case "$r" in ok*) ;; *) fail "acks=1 to the old leader: $r" ;; esac
done
stop_kq_serve KILL
kill -KILL $P $F 2>/dev/null || true
wait $P $F 2>/dev/null || true
acked=$(wc -l < acked.txt)
[ "$acked" -lt 100000 ] || fail "the producer finished before the leader was killed"

# Promotion: kq-serve on the follower's directory.
KQ_DIR=$NEW_DIR start_kq_serve
NEW=$KQ_SERVE
for i in 1 2 3; do
  r=$(client send "$NEW" t all "after-$i")
  case "$r" in ok*) ;; *) fail "acks=all to the new leader: $r" ;; esac
done
KQ_DIR=$NEW_DIR kq-consume t -e -f '%k\n' | grep '^k' | sort > new.txt
dups=$(uniq -d new.txt | wc -l)
[ "$dups" -eq 0 ] || fail "$dups keys twice on the new leader, e.g. $(uniq -d new.txt | head -3 | tr '\n' ' ')"
sort acked.txt | comm -23 - new.txt > lost.txt
[ ! -s lost.txt ] || fail "$(wc -l < lost.txt) of $acked acknowledged records are not on the new leader, e.g. $(head -3 lost.txt | tr '\n' ' ')"
KQ_DIR=$NEW_DIR kq-consume t -e > new-values.txt
grep -q divergent new-values.txt && fail "the new leader has records the follower never fetched"

# The old leader rejoins as a follower of the new one.
run kq-replicate "kafka://$NEW" "$OLD"
expect_rc 0 "resync of the old leader"
grep -q divergent <(kq-consume t -e) && fail "the old leader kept its divergent tail"
(cd "$NEW_DIR/t-0" && ls *.log) > new-logs.txt
(cd "$OLD/t-0" && ls *.log) > old-logs.txt
cmp -s new-logs.txt old-logs.txt || fail "segments differ: new [$(tr '\n' ' ' < new-logs.txt)] old [$(tr '\n' ' ' < old-logs.txt)]"
while read -r log; do
  cmp "$NEW_DIR/t-0/$log" "$OLD/t-0/$log" || fail "t-0/$log differs between the new leader and the old one"
done < new-logs.txt
grep -q after-3 <(kq-consume t -e) || fail "the old leader did not catch up"
stop_kq_serve TERM
pass
