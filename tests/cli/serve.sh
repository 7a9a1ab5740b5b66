# Starts kq-serve on the test's log directory for the server CLI tests.
# Source after helpers.sh:
#   . "$(dirname "$0")/serve.sh"
#   start_kq_serve [FLAGS...]     # sets KQ_SERVE=127.0.0.1:PORT and KQ_SERVE_PID
# It listens on $KQ_SERVE_LISTEN, by default 127.0.0.1 and a port the kernel
# picks (a restart on the same port: KQ_SERVE_LISTEN=$KQ_SERVE), logs to
# $KQ_TEST_TMP/.serve-log, and never outlives the test: a watchdog kills it
# after 600 s, and the exit trap kills it.

KQ_SERVE_PID=
start_kq_serve() {
  local log="$KQ_TEST_TMP/.serve-log"
  : >"$log"
  kq-serve -d "$KQ_DIR" --listen "${KQ_SERVE_LISTEN:-127.0.0.1:0}" "$@" 2>>"$log" </dev/null >/dev/null &
  KQ_SERVE_PID=$!
  (sleep 600; kill -KILL "$KQ_SERVE_PID" 2>/dev/null) </dev/null >/dev/null 2>&1 &
  KQ_SERVE_WATCHDOG=$!
  local i
  KQ_SERVE=
  for i in $(seq 200); do
    KQ_SERVE=$(sed -n 's/.*event=listening address=\([^ ]*\).*/\1/p' "$log" | tail -n 1)
    [ -n "$KQ_SERVE" ] && break
    kill -0 "$KQ_SERVE_PID" 2>/dev/null || fail "kq-serve exited: $(cat "$log")"
    sleep 0.05
  done
  [ -n "$KQ_SERVE" ] || fail "kq-serve did not start listening: $(cat "$log")"
}

# stop_kq_serve [SIGNAL]: stops it (SIGTERM by default) and waits; the exit
# status is in $SERVE_RC.
stop_kq_serve() {
  SERVE_RC=0
  if [ -n "$KQ_SERVE_PID" ]; then
    kill -"${1:-TERM}" "$KQ_SERVE_PID" 2>/dev/null || true
    set +e
    wait "$KQ_SERVE_PID" 2>/dev/null
    SERVE_RC=$?
    set -e
    KQ_SERVE_PID=
  fi
}

trap 'stop_kq_serve KILL; kill "${KQ_SERVE_WATCHDOG:-}" 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT
