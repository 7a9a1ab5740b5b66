#!/usr/bin/env bash
# kq-serve --metrics: Prometheus text at GET /metrics on the server's loop:
# requests and errors by API, latency histograms, bytes, connections,
# partition offsets and group lag; every sample line well-formed; other
# paths and methods refused; hostile HTTP answered and closed.
. "$(dirname "$0")/helpers.sh"
. "$(dirname "$0")/serve.sh"

kq-topics create t || fail "create"
start_kq_serve --metrics 127.0.0.1:0
M=$(sed -n 's/.*event=metrics address=\([^ ]*\).*/\1/p' "$KQ_TEST_TMP/.serve-log")
[ -n "$M" ] || fail "no metrics address in the log"

seq 1 50 | kcat -b "$KQ_SERVE" -P -t t -p 0 || fail "produce"
kcat -b "$KQ_SERVE" -C -t t -p 0 -e -q > /dev/null || fail "consume"
kcat -b "$KQ_SERVE" -C -t t -p 0 -o 1000 -e -q > /dev/null 2>&1 || true  # OFFSET_OUT_OF_RANGE
kq-groups -b "$KQ_SERVE" list > /dev/null 2>&1 || true
# A committed offset, so there is lag to report: commit 20 of 50 for group g.
kq-consume -b "$KQ_SERVE" t -G g -c 20 > /dev/null || fail "group consume"

curl -sf "http://$M/metrics" > m.txt || fail "GET /metrics failed"
# Every line is a comment or NAME{LABELS} VALUE.
bad=$(grep -vE '^(# (HELP|TYPE) .*|[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? [-+0-9.e]+(Inf)?)$' m.txt | head -3 || true)
[ -z "$bad" ] || fail "malformed metric lines: $bad"
grep -q '^kq_requests_total{api="Produce"} [1-9]' m.txt || fail "no Produce count"
grep -q '^kq_requests_total{api="Fetch"} [1-9]' m.txt || fail "no Fetch count"
grep -q '^kq_request_errors_total{api="Fetch",error="OFFSET_OUT_OF_RANGE"} [1-9]' m.txt ||
  fail "the out-of-range fetch is not counted"
grep -q '^kq_request_duration_seconds_bucket{api="Produce",le="+Inf"} [1-9]' m.txt || fail "no latency histogram"
grep -q '^kq_request_bytes_total [1-9]' m.txt || fail "no request bytes"
grep -q '^kq_connections [0-9]' m.txt || fail "no connection gauge"
grep -q '^kq_partition_log_end_offset{topic="t",partition="0"} 50$' m.txt || fail "no end offset of t-0"
grep -q '^kq_group_lag{group="g",topic="t",partition="0"} 30$' m.txt || fail "no lag 30 for g on t-0: $(grep lag m.txt)"

[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$M/other")" = 404 ] || fail "other paths are not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://$M/metrics")" = 405 ] || fail "POST is not 405"
/usr/bin/python3 - "$M" <<'PY' || fail "hostile HTTP"
import socket, sys
host, port = sys.argv[1].rsplit(":", 1)
def ask(data):
    s = socket.create_connection((host, int(port)), timeout=5)
    s.sendall(data)
    out = b""
    try:
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out
            out += chunk
    except ConnectionResetError:  # closed while we were still sending
        return out or b"reset"

assert ask(b"\x00\x01garbage\r\n\r\n").startswith(b"HTTP/1.1 400"), "garbage"
huge = ask(b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 20000 + b"\r\n\r\n")
assert huge.startswith(b"HTTP/1.1 431") or huge == b"reset", huge[:40]
# Connections are kept alive (HTTP/1.1): ask to close, since ask() reads to EOF.
assert ask(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").startswith(b"HTTP/1.1 200"), "after attacks"
PY
stop_kq_serve TERM
[ "$SERVE_RC" -eq 0 ] || fail "kq-serve exited $SERVE_RC"
pass
