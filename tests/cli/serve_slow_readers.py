"""Slow and vanishing readers of large fetches, for
tests/cli/0609-serve-slow-readers.sh. Standard library only.

  serve_slow_readers.py HOST:PORT SERVER_PID TOPIC SEGMENT_FILE

Twenty clients each ask for the whole partition (Fetch v4, one request,
max_bytes 64 MiB) and read nothing for a while, so the server's sendfile
meets a full socket buffer; half of them then vanish, the others read the
response slowly. The record bytes each gets must equal the segment file's,
and the server's memory must not grow by the data they wait for.
"""
import socket
import struct
import sys
import time

host, port = sys.argv[1].rsplit(":", 1)
pid, topic, segment = int(sys.argv[2]), sys.argv[3].encode(), sys.argv[4]
expected = open(segment, "rb").read()


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def rss_kib():
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def fetch_request(correlation_id):
    big = 64 << 20
    body = struct.pack(">hhih", 1, 4, correlation_id, 4) + b"slow"
    body += struct.pack(">iiiib", -1, 0, 1, big, 0)  # replica, max_wait, min_bytes, max_bytes, isolation
    body += struct.pack(">ih", 1, len(topic)) + topic
    body += struct.pack(">iiqi", 1, 0, 0, big)  # one partition: 0, offset 0, max bytes
    return struct.pack(">i", len(body)) + body


def recv_exact(s, n, chunk=65536, pause=0.0):
    out = bytearray()
    while len(out) < n:
        data = s.recv(min(chunk, n - len(out)))
        if not data:
            fail(f"connection closed after {len(out)} of {n} bytes")
        out += data
        if pause:
            time.sleep(pause)
    return bytes(out)


def records_of(response):
    # Fetch v4 response: correlation, throttle, [topic [partition, error, hw,
    # lso, log_start? (v5+ only), aborted[], records]]
    r = memoryview(response)
    pos = 4 + 4
    (ntopics,) = struct.unpack_from(">i", r, pos); pos += 4
    (tlen,) = struct.unpack_from(">h", r, pos); pos += 2 + tlen
    (nparts,) = struct.unpack_from(">i", r, pos); pos += 4
    part, err, hw, lso = struct.unpack_from(">ihqq", r, pos); pos += 4 + 2 + 8 + 8
    (naborted,) = struct.unpack_from(">i", r, pos); pos += 4
    if naborted > 0:
        pos += naborted * 16
    (rlen,) = struct.unpack_from(">i", r, pos); pos += 4
    if err != 0:
        fail(f"fetch error {err}")
    return bytes(r[pos:pos + rlen])


rss_before = rss_kib()
clients = []
for i in range(20):
    s = socket.create_connection((host, int(port)), timeout=30)
    s.sendall(fetch_request(i))
    clients.append(s)
time.sleep(1.0)  # nobody reads: every send hits a full socket buffer
rss_waiting = rss_kib()
if rss_waiting > rss_before + 32 * 1024:
    fail(f"the server holds the data of its slow readers: RSS {rss_before} -> {rss_waiting} KiB")
for s in clients[10:]:  # half vanish mid-response
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
for i, s in enumerate(clients[:10]):
    (size,) = struct.unpack(">i", recv_exact(s, 4))
    response = recv_exact(s, size, chunk=256 * 1024, pause=0.001 if i < 2 else 0)
    (corr,) = struct.unpack_from(">i", response, 0)
    if corr != i:
        fail(f"client {i}: correlation id {corr}")
    got = records_of(response)
    if got != expected[: len(got)] or len(got) < len(expected) - 1024 * 1024:
        fail(f"client {i}: {len(got)} record bytes differ from the segment's first bytes "
             f"(segment {len(expected)} bytes)")
    s.close()
print(f"ok: {len(expected)} bytes to 10 slow readers; RSS {rss_before} -> {rss_waiting} KiB while 20 waited")
