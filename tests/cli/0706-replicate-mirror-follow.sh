#!/usr/bin/env bash
# kq-replicate -f DIR kafka://HOST:PORT against kq-serve: records written to
# the source after the mirror started reach the cluster (a new topic too),
# SIGTERM ends it with the summary and its progress committed. Then SIGKILL
# at random moments while a producer writes, and restarts: every source
# record reaches the cluster, progress is only committed for what the cluster
# holds, and a record is sent twice only if it was past the committed
# progress when the mirror was killed (the round not yet acknowledged).
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/replicate.sh"
. "$(dirname "$0")/serve.sh"

src=$KQ_TEST_TMP/src
kq-topics -d "$src" create t -p 2 -q
seq -f 'a%06g' 1 100 | kq-produce -d "$src" t -q
start_kq_serve
url=kafka://$KQ_SERVE
group=kq-replicate.$KQ_SERVE

# wait_cluster TOPIC N: until the cluster holds at least N records of TOPIC.
wait_cluster() {
  local n deadline=$(( $(date +%s) + 30 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    n=$( (kq-consume -b "$KQ_SERVE" "$1" -e -q 2>/dev/null || true) | wc -l)
    [ "$n" -ge "$2" ] && return 0
    sleep 0.2
  done
  fail "the cluster holds $n records of $1, expected $2: $(cat mirror.err)"
}

kq-replicate -f --status-file st.json "$src" "$url" 2>mirror.err &
pid=$!
wait_cluster t 100
seq -f 'b%06g' 1 50 | kq-produce -d "$src" t -q
kq-topics -d "$src" create later -q
seq -f 'l%g' 1 7 | kq-produce -d "$src" later -q
wait_cluster t 150
wait_cluster later 7
stopped_by_term "$pid" mirror.err
grep -q "157 records sent" mirror.err || fail "no summary: $(cat mirror.err)"
kq-consume -d "$src" t -e -q | sort >want.txt
kq-consume -b "$KQ_SERVE" t -e -q | sort >got.txt
cmp -s want.txt got.txt || fail "mirrored records differ: $(diff want.txt got.txt | head -5)"
run kq-groups -d "$src" describe "$group" --json
expect_rc 0 "the progress group"
echo "$OUT" | /usr/bin/python3 -c '
import json, sys
parts = json.load(sys.stdin)["partitions"]
assert sum(p["current_offset"] for p in parts) == 157 and all(p["lag"] == 0 for p in parts)' ||
  fail "progress not committed to the source ends: $OUT"
grep -q '"lag":0' st.json || fail "status file: $(cat st.json)"

# SIGKILL while a producer writes; after each kill, what the group committed
# must already be in the cluster, and what lies past it may be sent again.
(for i in $(seq 1 30); do
  seq -f "c$i-%05g" 1 400 | kq-produce -d "$src" t -q --batch-bytes 2048
  sleep 0.05
done) &
writer=$!
: >at-risk.txt
for k in 1 2 3 4 5; do
  kq-replicate -q -f "$src" "$url" 2>>mirror.err &
  pid=$!
  sleep "0.$((RANDOM % 7 + 2))"
  kill -KILL "$pid"
  wait "$pid" 2>/dev/null || true
  kq-groups -d "$src" describe "$group" --json >committed.json
  kq-consume -d "$src" t -e -q -f '%p %o %s\n' >source.txt
  kq-consume -b "$KQ_SERVE" t -e -q >cluster.txt
  /usr/bin/python3 - <<'PY' || fail "after kill $k: $(cat check.err)"
import json, sys
committed = {p["partition"]: p["current_offset"]
             for p in json.load(open("committed.json"))["partitions"] if p["topic"] == "t"}
cluster = set(open("cluster.txt").read().split())
risk = open("at-risk.txt", "a")
for line in open("source.txt"):
    p, o, v = line.split()
    if int(o) < committed.get(int(p), 0):
        if v not in cluster:
            open("check.err", "w").write(f"{v} (partition {p} offset {o}) committed, not in the cluster")
            sys.exit(1)
    elif v in cluster:
        risk.write(v + "\n")  # sent, not committed: may come again
PY
done
wait "$writer"
run kq-replicate -j "$src" "$url"
expect_rc 0 "the final run"
kq-consume -d "$src" t -e -q | sort >want.txt
kq-consume -b "$KQ_SERVE" t -e -q | sort >got.txt
/usr/bin/python3 - <<'PY' || fail "$(cat check.err)"
import collections, sys
want = open("want.txt").read().split()
got = collections.Counter(open("got.txt").read().split())
risk = collections.Counter(open("at-risk.txt").read().split())
missing = [v for v in want if v not in got]
extra = [v for v in got if v not in set(want)]
dups = [v for v, n in got.items() if n > 1 + risk[v]]
if missing or extra or dups:
    open("check.err", "w").write(f"missing {missing[:5]} ({len(missing)}), extra {extra[:5]}, "
                                 f"duplicated without cause {dups[:5]} ({len(dups)})")
    sys.exit(1)
PY
pass
