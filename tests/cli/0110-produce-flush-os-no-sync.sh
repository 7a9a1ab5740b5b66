#!/usr/bin/env bash
# kq-produce --flush os syncs nothing, not even when it creates the
# partitions of an existing topic (their first segment and their
# leader-epoch-checkpoint); the default policy (fsync) does sync. Counted
# with strace; skipped where strace cannot trace.
. "$(dirname "$0")/helpers.sh"
# LeakSanitizer cannot run under ptrace: in the sanitizer build, the traced
# programs skip the leak check (ASan's other checks stay on).
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"

syncs() { # syncs TRACEFILE: fsync-family calls in an strace -f log
  grep -cE '^([0-9]+ +)?(fsync|fdatasync|syncfs|sync_file_range)\(' "$1" || true
}

kq-topics create os-topic --partitions 4 -q
kq-topics create fsync-topic --partitions 4 -q
if ! strace -f -o probe.txt -e trace=fdatasync true 2>/dev/null; then
  echo "skip: strace cannot trace here"
  exit 0
fi

seq 100 | sed "s/.*/k&:&/" | strace -f -o os.txt -e trace=fsync,fdatasync,syncfs,sync_file_range \
  kq-produce --flush os -K : os-topic
n=$(syncs os.txt)
[ "$n" -eq 0 ] || fail "--flush os made $n sync calls: $(grep -E 'sync' os.txt | head -5)"

seq 100 | sed "s/.*/k&:&/" | strace -f -o fsync.txt -e trace=fsync,fdatasync,syncfs,sync_file_range \
  kq-produce -K : fsync-topic
n=$(syncs fsync.txt)
[ "$n" -gt 0 ] || fail "the default flush policy made no sync call"

run kq-consume os-topic -e
expect_rc 0
[ "$(wc -l <<<"$OUT")" -eq 100 ] || fail "expected 100 records back, got [$OUT]"
