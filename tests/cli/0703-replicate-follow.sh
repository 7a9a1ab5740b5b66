#!/usr/bin/env bash
# kq-replicate --follow: keeps DEST in step as SOURCE grows (new records and
# a new topic), keeps --status-file current, and ends on SIGTERM with exit 0.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/replicate.sh"

src=$KQ_TEST_TMP/src
kq-topics -d "$src" create t -p 2 -q
seq 1 100 | kq-produce -d "$src" t -q

kq-replicate -f --status-file st.json "$src" dst 2>follow.err &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT

# status JSON with lag 0 and the given total of dest ends
wait_status() {
  local want=$1 deadline=$(( $(date +%s) + 20 ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ -f st.json ] && /usr/bin/python3 -c '
import json, sys
s = json.load(open("st.json"))
ends = sum(p["dest_end"] for p in s["partitions"])
sys.exit(0 if s["lag"] == 0 and ends == int(sys.argv[1]) else 1)' "$want" 2>/dev/null; then
      return 0
    fi
    sleep 0.1
  done
  fail "status never reached $want records with lag 0: $(cat st.json 2>/dev/null)"
}

wait_status 100
seq 1 50 | kq-produce -d "$src" t -q
kq-topics -d "$src" create later -q
seq 1 7 | kq-produce -d "$src" later -q
wait_status 157
run kq-consume -d dst later -e -q
[ "$(echo "$OUT" | wc -l)" -eq 7 ] || fail "the new topic did not follow: [$OUT]"

# A topic deleted at the source stays in DEST; the rest goes on.
kq-topics -d "$src" delete later -q
seq 1 3 | kq-produce -d "$src" t -q
wait_status 160
kill -0 "$pid" || fail "--follow stopped when a source topic was deleted: $(cat follow.err)"

stopped_by_term "$pid" follow.err
for f in $(cd "$src" && find . -name '*.log'); do
  cmp -s "$src/$f" "dst/$f" || fail "$f differs"
done
pass
