# Starts librdkafka's mock cluster (build/bin/mock_cluster_child) for the
# cluster-mode CLI tests. Source after helpers.sh:
#   . "$(dirname "$0")/mock_cluster.sh"
#   start_mock_cluster orders:3 logs:1     # sets MOCK_BROKERS=127.0.0.1:PORT
# The child reads its stdin from a FIFO held open on descriptor 9; closing it
# (stop_mock_cluster, run at exit) stops the child, and the child stops by
# itself after 120 s, so it never outlives the test.

MOCK_PID=
start_mock_cluster() {
  local fifo="$KQ_TEST_TMP/.mock-stdin"
  mkfifo "$fifo"
  mock_cluster_child --timeout-s 120 "$@" <"$fifo" >"$KQ_TEST_TMP/.mock-addr" \
    2>"$KQ_TEST_TMP/.mock-err" &
  MOCK_PID=$!
  exec 9>"$fifo"
  local i
  for i in $(seq 100); do
    [ -s "$KQ_TEST_TMP/.mock-addr" ] && break
    sleep 0.1
  done
  MOCK_BROKERS=$(head -n 1 "$KQ_TEST_TMP/.mock-addr")
  [ -n "$MOCK_BROKERS" ] || fail "mock cluster did not start: $(cat "$KQ_TEST_TMP/.mock-err")"
}

stop_mock_cluster() {
  if [ -n "$MOCK_PID" ]; then
    exec 9>&-
    wait "$MOCK_PID" 2>/dev/null || true
    MOCK_PID=
  fi
}

trap 'stop_mock_cluster; rm -rf "$KQ_TEST_TMP"' EXIT
