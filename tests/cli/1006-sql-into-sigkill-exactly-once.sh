#!/usr/bin/env bash
# kq-sql --follow --into is a resumable, exactly-once derived stream: while
# records arrive, the query is killed with SIGKILL at random moments and
# restarted; in the end the output topic holds every result exactly once
# (no loss, no duplicate), because each batch it appends carries the input
# position that produced it (pipe/position.h) and a restart resumes there.
# A GROUP BY changelog resumes too: it rebuilds its state from the input
# before the position and prints only what changed after it.
. "$(dirname "$0")/helpers.sh"
py=/usr/bin/python3

kq-topics create orders --partitions 2 >/dev/null
query="SELECT partition AS p, offset AS o, json_extract(value, '\$.n') AS n FROM orders
       WHERE json_extract(value, '\$.n') % 3 != 0"

# 40 chunks of 50 records, a few ms apart, while the query is killed.
(
  for chunk in $(seq 0 39); do
    seq $((chunk * 50)) $((chunk * 50 + 49)) | awk '{print "k" ($1 % 7) "\t{\"n\":" $1 "}"}' |
      kq-produce -K '\t' orders
    sleep 0.0$((RANDOM % 5))
  done
) &
producer=$!
kills=0
while kill -0 "$producer" 2>/dev/null; do
  kq-sql -F --poll-ms 5 --into derived --key p "$query" 2>/dev/null &
  pid=$!
  sleep "0.$((RANDOM % 20 + 5))"
  kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
  wait "$pid" 2>/dev/null || true
done
wait "$producer"
[ "$kills" -ge 3 ] || fail "only $kills kills happened"
# A last run catches up and stops.
kq-sql -F --poll-ms 5 --timeout 2s --into derived --key p "$query" 2>/dev/null || true

kq-consume derived >derived.out
$py - derived.out <<'PY' || fail "the derived topic is not exactly once (after $kills kills)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
seen = [(r["p"], r["o"]) for r in rows]
want = {n for n in range(2000) if n % 3 != 0}
got = [r["n"] for r in rows]
dups = len(got) - len(set(got))
missing = want - set(got)
extra = set(got) - want
if dups or missing or extra or len(set(seen)) != len(seen):
    print("rows %d, duplicates %d, missing %d, extra %d" % (len(rows), dups, len(missing), len(extra)), file=sys.stderr)
    sys.exit(1)
PY
echo "exactly once after $kills SIGKILLs"

# The changelog of a GROUP BY, killed and resumed: the last value per key
# in the output is the final count, and no round is printed twice.
kq-sql -F --poll-ms 5 --timeout 1s --into counts --key k \
  "SELECT key AS k, count(*) AS n FROM orders GROUP BY key" 2>/dev/null || true
before=$(kq-consume counts | wc -l)
for n in 2000 2001 2002; do printf 'k1\t{"n":%d}\n' "$n"; done | kq-produce -K '\t' orders
kq-sql -F --poll-ms 5 --timeout 1s --into counts --key k \
  "SELECT key AS k, count(*) AS n FROM orders GROUP BY key" 2>/dev/null || true
kq-consume counts >counts.out
[ "$(wc -l <counts.out)" -eq $((before + 1)) ] || fail "the resumed changelog printed more than k1: $(tail -n +$((before + 1)) counts.out)"
$py - counts.out <<'PY' || fail "the resumed changelog is wrong: $(cat counts.out)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
last = {}
for r in rows:
    last[r["k"]] = r["n"]
want = {"k%d" % k: sum(1 for n in range(2000) if n % 7 == k) for k in range(7)}
want["k1"] += 3
assert last == want, (last, want)
assert rows[-1] == {"k": "k1", "n": want["k1"]}, rows[-1]
PY
pass
