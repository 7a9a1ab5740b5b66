#!/usr/bin/env bash
# A jq transform between topics: kq-pipe --map feeds each record's value to
# one long-running `jq -c --unbuffered` and appends its answer to the output
# topic with the input's key, headers and timestamp. The input position goes
# into the output's batches, so running it again (or after a crash) only
# transforms what is new: exactly once, no group or transaction needed.
set -euo pipefail

cat <<'JSON' | kq-produce -K '|' orders
o1|{"id":1,"customer":"alice","total":30,"items":[1,2]}
o2|{"id":2,"customer":"bob","total":5,"items":[3]}
o3|{"id":3,"customer":"carol","total":12,"items":[4,5,6]}
JSON

# Small orders are dropped: an empty answer drops the record.
kq-pipe --map orders big-orders -- jq -rc --unbuffered \
  'if .total >= 10 then {id, customer, n: (.items | length)} | tojson else "" end'
# New input later: running it again transforms only that.
echo 'o4|{"id":4,"customer":"dave","total":99,"items":[7]}' | kq-produce -K '|' orders
kq-pipe --map orders big-orders -- jq -rc --unbuffered \
  'if .total >= 10 then {id, customer, n: (.items | length)} | tojson else "" end'

kq-consume big-orders -f '%k %s\n'
[ "$(kq-consume big-orders -f '%k\n' | tr '\n' ' ')" = "o1 o3 o4 " ]
