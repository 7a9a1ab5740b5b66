#!/usr/bin/env bash
# kq-serve under hostile clients: garbage, a 2 GiB size prefix, half-sent and
# truncated requests, malformed bodies for every API, 500 idle connections,
# clients vanishing mid-response, fifty clients each announcing a 50 MB
# request and sending part of it. The server keeps serving others, its memory
# stays within queued.max.request.bytes, and it still stops cleanly
# (tests/cli/serve_hostile.py).
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create t --partitions 2 || fail "create"
start_kq_serve --config queued.max.request.bytes=16777216
/usr/bin/python3 "$(dirname "$0")/serve_hostile.py" "$KQ_SERVE" "$KQ_SERVE_PID" || fail "hostile clients"
# Still a working server: a round trip through it.
printf 'x\ny\n' | kcat -b "$KQ_SERVE" -P -t t -p 0 || fail "produce after the attacks"
[ "$(kcat -b "$KQ_SERVE" -C -t t -p 0 -e -q)" = "$(printf 'x\ny')" ] || fail "consume after the attacks"
stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC: $(tail -5 "$KQ_TEST_TMP/.serve-log")"
pass
