#!/usr/bin/env bash
# A slow stream reaches the log within --linger-ms (not at the end of input),
# and SIGTERM/SIGINT flush what was read and exit 0.
. "$(dirname "$0")/helpers.sh"

count_in_log() { cat "$KQ_DIR/$1"-0/*.log 2>/dev/null | grep -a -c "$2" || true; }

wait_for() {  # wait_for TOPIC TEXT: up to 2 s for TEXT to reach the log
  for _ in $(seq 1 40); do
    [ "$(count_in_log "$1" "$2")" -gt 0 ] && return 0
    sleep 0.05
  done
  return 1
}

mkfifo slow.fifo
kq-produce --linger-ms 5 slow <slow.fifo &
pid=$!
exec 3>slow.fifo
echo first-line >&3
wait_for slow first-line || fail "a lone line did not reach the log while input stayed open"
echo second-line >&3
wait_for slow second-line || fail "the second line did not reach the log"
exec 3>&-
wait "$pid" || fail "kq-produce failed"

# SIGTERM: what was read (including a last line without a newline) is kept.
for sig in TERM INT; do
  rm -f sig.fifo && mkfifo sig.fifo
  kq-produce --linger-ms 60000 "sig$sig" <sig.fifo &
  pid=$!
  exec 3>sig.fifo
  printf 'one\ntwo\npartial' >&3
  sleep 0.5
  kill "-$sig" "$pid"
  set +e
  wait "$pid"
  rc=$?
  set -e
  exec 3>&-
  [ "$rc" -eq 0 ] || fail "SIG$sig: exit $rc"
  for word in one two partial; do
    [ "$(count_in_log "sig$sig" "$word")" -gt 0 ] || fail "SIG$sig: '$word' was not written"
  done
done
pass
