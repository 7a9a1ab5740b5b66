"""Hostile clients against a running kq-serve (tests/cli/0602-serve-hostile.sh).

Each attack runs while the server must keep serving others: after each one a
well-formed ApiVersions request on a fresh connection must be answered.
Standard library only. Usage: serve_hostile.py HOST:PORT SERVER_PID
"""
import os
import socket
import struct
import sys
import time

HOST, PORT = sys.argv[1].rsplit(":", 1)
PORT = int(PORT)
PID = int(sys.argv[2])


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def connect():
    s = socket.create_connection((HOST, PORT), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def api_versions_frame(correlation_id=7, version=0):
    client_id = b"hostile"
    body = struct.pack(">hhih", 18, version, correlation_id, len(client_id)) + client_id
    return struct.pack(">i", len(body)) + body


def recv_exact(s, n):
    out = b""
    while len(out) < n:
        chunk = s.recv(n - len(out))
        if not chunk:
            return None
        out += chunk
    return out


def read_response(s):
    head = recv_exact(s, 4)
    if head is None:
        return None
    (size,) = struct.unpack(">i", head)
    return recv_exact(s, size)


def still_serving(after):
    try:
        s = connect()
        s.sendall(api_versions_frame(correlation_id=4242))
        resp = read_response(s)
        s.close()
    except OSError as e:
        fail(f"after {after}: a well-formed request failed: {e}")
    if resp is None or struct.unpack(">i", resp[:4])[0] != 4242:
        fail(f"after {after}: no ApiVersions answer")
    try:
        os.kill(PID, 0)
    except OSError:
        fail(f"after {after}: the server died")


def closed_by_server(s, what):
    """True when the server closes the connection within 10 s."""
    s.settimeout(10)
    try:
        while True:
            data = s.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        fail(f"{what}: the connection was neither answered nor closed")


def rss_kib():
    with open(f"/proc/{PID}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


# 1. Garbage bytes: closed, never a crash.
for seed in range(50):
    s = connect()
    junk = bytes((seed * 131 + i * 17) & 0xFF for i in range(64 + seed * 7))
    s.sendall(struct.pack(">i", len(junk)) + junk)
    closed_by_server(s, f"garbage request {seed}")
    s.close()
still_serving("garbage requests")

# 2. A 2 GiB size prefix: refused from the prefix alone (nothing buffered).
rss_before = rss_kib()
s = connect()
s.sendall(struct.pack(">i", 0x7FFFFFFF) + b"x" * 1000)
closed_by_server(s, "2 GiB size prefix")
s.close()
s = connect()
s.sendall(struct.pack(">i", -5))
closed_by_server(s, "negative size prefix")
s.close()
still_serving("huge and negative size prefixes")
if rss_kib() > rss_before + 64 * 1024:
    fail(f"memory grew from {rss_before} KiB to {rss_kib()} KiB after a 2 GiB prefix")

# 3. A half-sent request, then silence: others are served meanwhile.
half = connect()
frame = api_versions_frame()
half.sendall(frame[: len(frame) // 2])
still_serving("a half-sent request")

# 4. Every truncation of a valid request, closed mid-way.
for cut in range(1, len(frame)):
    s = connect()
    s.sendall(frame[:cut])
    s.close()
still_serving("truncated requests")

# 5. Known API keys with bodies cut short or filled with junk.
for api_key, version in [(0, 7), (1, 11), (2, 2), (3, 4), (19, 4), (20, 1), (22, 1), (32, 1), (23, 3)]:
    for junk_len in (0, 1, 5, 40):
        client_id = b"x"
        header = struct.pack(">hhih", api_key, version, 99, len(client_id)) + client_id
        body = header + bytes((i * 37 + api_key) & 0xFF for i in range(junk_len))
        s = connect()
        s.sendall(struct.pack(">i", len(body)) + body)
        s.settimeout(10)
        try:
            resp = read_response(s)  # an error response or a close, never a hang
        except socket.timeout:
            fail(f"api {api_key} v{version} with {junk_len} junk bytes: no answer, no close")
        except ConnectionResetError:
            pass
        s.close()
still_serving("malformed bodies")

# 6. 500 idle connections: accepted (max.connections is 1000 by default).
idle = [connect() for _ in range(500)]
still_serving("500 idle connections")
rss_with_idle = rss_kib()
for s in idle:
    s.close()

# 7. A client that asks and vanishes before reading: pipeline 16 requests
#    and reset the connection.
for _ in range(20):
    s = connect()
    s.sendall(api_versions_frame() * 16)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.close()
still_serving("clients vanishing mid-response")
half.close()

# 8. Fifty clients announce 50 MB requests and send 2 MB of each: with
#    queued.max.request.bytes at 16 MB (see 0602), reading pauses once the
#    partial requests reach it, so memory stays near the budget.
rss_before_big = rss_kib()
big = []
for _ in range(50):
    s = connect()
    s.setblocking(False)
    try:
        s.send(struct.pack(">i", 50 << 20))
        chunk = b"\0" * (256 << 10)
        for _ in range(8):
            s.send(chunk)
    except BlockingIOError:
        pass  # the server stopped reading: that is the point
    big.append(s)
time.sleep(0.5)
grown = rss_kib() - rss_before_big
if grown > 48 * 1024:
    fail(f"partial requests grew the server by {grown} KiB, over the 16 MB budget")
for s in big:
    s.close()
time.sleep(1.2)  # the idle check resumes reading once the budget is free
still_serving("50 partial 50 MB requests")

print(f"ok: RSS {rss_kib()} KiB (with 500 idle connections: {rss_with_idle} KiB; "
      f"partial requests: +{grown} KiB)")
