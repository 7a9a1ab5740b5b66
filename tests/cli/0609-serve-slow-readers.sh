#!/usr/bin/env bash
# Slow and vanishing readers of large fetches: the record data goes from the
# segment file with sendfile and waits for the socket to drain instead of
# being copied, so twenty readers that stall on a 20 MB fetch cost the server
# no memory; the bytes that arrive are the segment's; clients that vanish
# mid-response leave the server serving (tests/cli/serve_slow_readers.py).
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create big || fail "create"
awk 'BEGIN { for (b = 0; b < 40; b++) { for (i = 0; i < 5000; i++) printf "record %02d %05d %s\n", b, i, "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"; } }' |
  kq-produce big || fail "produce"
seg=$(ls "$KQ_DIR"/big-0/*.log | head -n 1)
[ "$(stat -c %s "$seg")" -gt 10000000 ] || fail "segment smaller than expected: $(stat -c %s "$seg")"
start_kq_serve
/usr/bin/python3 "$(dirname "$0")/serve_slow_readers.py" "$KQ_SERVE" "$KQ_SERVE_PID" big "$seg" ||
  fail "slow readers"
[ "$(kcat -b "$KQ_SERVE" -C -t big -e -q | wc -l)" -eq 200000 ] || fail "a normal reader after them"
stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC"
pass
