#!/usr/bin/env bash
# kq-serve as a leader with one follower (kq-replicate --follow
# --replica-id 2): Metadata lists it in the ISR once it has caught up;
# while it lags, consumers do not see past the high watermark; once it
# stops fetching for replica.lag.time.max.ms it leaves the ISR, and
# acks=all is refused with NOT_ENOUGH_REPLICAS (min.insync.replicas=2).
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"
. "$(dirname "$0")/serve_replication.sh"

kq-topics create t --partitions 1 || fail "create"
start_kq_serve --config min.insync.replicas=2 --config replica.lag.time.max.ms=5000
L=$KQ_SERVE
replication_ready "$L" || { pass; exit 0; }

# No follower yet: one replica in sync, fewer than min.insync.replicas.
[ "$(client send "$L" t all a0)" = NOT_ENOUGH_REPLICAS ] || fail "acks=all without a follower was accepted"

kq-replicate "kafka://$L" "$KQ_TEST_TMP/follower" --follow --replica-id 2 2>follower.err &
F=$!
trap 'kill -KILL $F 2>/dev/null || true; stop_kq_serve KILL; rm -rf "$KQ_TEST_TMP"' EXIT
in_sync() { [ "$(client isr "$L" t)" = "replicas=0,2 isr=0,2" ]; }
wait_until 30 in_sync || fail "the follower never joined the ISR: $(client isr "$L" t); $(cat follower.err)"
[ "$(client send "$L" t all a1)" = "ok 0" ] || fail "acks=all with the follower in sync failed"

# The follower lags (stopped, still in sync): the record acks=1 appends is
# past the high watermark, invisible to consumers until it has it.
kill -STOP $F
[ "$(client send "$L" t 1 b)" = "ok 1" ] || fail "acks=1 failed"
[ "$(client high "$L" t)" = 1 ] || fail "a consumer sees past the follower: high watermark $(client high "$L" t)"
run kq-consume -b "$L" t -f '%s\n' -e
[ "$OUT" = a1 ] || fail "a consumer read past the high watermark: [$OUT]"
kill -CONT $F
hw_is_2() { [ "$(client high "$L" t)" = 2 ]; }
wait_until 20 hw_is_2 || fail "the high watermark did not move once the follower caught up"

# The follower stops: after the lag time it is out, and acks=all is refused.
kill -TERM $F
wait $F 2>/dev/null || true
leader_only() { [ "$(client isr "$L" t)" = "replicas=0,2 isr=0" ]; }
wait_until 30 leader_only || fail "the stopped follower stayed in the ISR: $(client isr "$L" t)"
[ "$(client send "$L" t all c)" = NOT_ENOUGH_REPLICAS ] || fail "acks=all with too few in sync was accepted"
[ "$(client high "$L" t)" = 2 ] || fail "high watermark $(client high "$L" t) after the refusal"
stop_kq_serve TERM
pass
