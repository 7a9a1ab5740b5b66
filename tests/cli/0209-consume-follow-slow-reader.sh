#!/usr/bin/env bash
# A follower blocks on a slow reader exactly like tail -F: it never loses or
# cuts a line when the pipe is full, never changes the flags of the
# descriptors it was given, and exits 0 when its reader goes away.
. "$(dirname "$0")/helpers.sh"

seq 1 200000 | kq-produce sp || fail "produce"

# O_NONBLOCK of the file description on stdout, as seen by another process
# sharing it after kq-consume is gone: 0 when it is still blocking.
nonblock_flag() {
  python3 -c 'import fcntl, os, sys; sys.stderr.write(str(int(bool(fcntl.fcntl(1, fcntl.F_GETFL) & os.O_NONBLOCK))))'
}

# A reader that starts late: the pipe fills while kq-consume is far ahead.
# -c ends the run once every record is out.
set +e
{ kq-consume sp -F -c 200000 2>slow.err; echo "rc=$?" > slow.rc; nonblock_flag 2>slow.flag; } |
  { sleep 1; wc -l > slow.count; }
set -e
[ "$(cat slow.rc)" = "rc=0" ] || fail "follower into a slow reader: $(cat slow.rc); stderr: $(cat slow.err)"
[ "$(tr -d ' ' < slow.count)" = 200000 ] || fail "slow reader got $(cat slow.count) lines, not 200000"
[ "$(cat slow.flag)" = 0 ] || fail "kq-consume -F left its stdout non-blocking"

# JSON lines through a slow reader stay whole.
set +e
kq-consume sp -F -J -c 50000 | { sleep 1; /usr/bin/python3 -c '
import json, sys
n = 0
for line in sys.stdin:
    json.loads(line)
    n += 1
print(n)'; } > json.count 2>json.err
set -e
[ "$(cat json.count)" = 50000 ] || fail "JSON lines through a slow reader: $(cat json.count) $(cat json.err)"

# The reader goes away after one line: exit 0 at once, as the man page says.
start=$(date +%s)
set +e
kq-consume sp -F 2>head.err | head -1 > head.out
rc=${PIPESTATUS[0]}
set -e
[ "$rc" -eq 0 ] || fail "kq-consume -F | head -1 exited $rc: $(cat head.err)"
[ "$(cat head.out)" = 1 ] || fail "head got [$(cat head.out)]"
[ $(( $(date +%s) - start )) -lt 10 ] || fail "kq-consume -F | head -1 took too long to exit"

# A terminal: output arrives and the terminal's flags are left alone.
if command -v script >/dev/null; then
  script -qec "kq-consume sp -F -c 3; python3 -c 'import fcntl, os; print(\"nonblock\", int(bool(fcntl.fcntl(1, fcntl.F_GETFL) & os.O_NONBLOCK)))'" /dev/null \
    > tty.out 2>&1 </dev/null || fail "kq-consume -F on a terminal: $(cat tty.out)"
  grep -q "^3" tty.out || fail "terminal output: $(cat tty.out)"
  grep -q "nonblock 0" tty.out || fail "kq-consume -F left the terminal non-blocking: $(cat tty.out)"
fi
echo "ok"
