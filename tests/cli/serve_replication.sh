# Shared by the replication tests (tests/cli/072*-serve-*.sh). Source after
# helpers.sh and serve.sh.
#
# replication_ready LEADER: true when kq-replicate is built with kafka://
# sources; otherwise prints why on stderr and the caller ends as passed
# with nothing checked (the follower tool is built separately).
replication_ready() {
  if ! command -v kq-replicate >/dev/null; then
    echo "skip: kq-replicate is not built" >&2
    return 1
  fi
  local probe="$KQ_TEST_TMP/.replicate-probe"
  set +e
  timeout 20 kq-replicate "kafka://$1" "$probe" >/dev/null 2>"$probe.err"
  set -e
  if grep -q "not available" "$probe.err"; then
    echo "skip: kq-replicate has no kafka:// source in this build: $(cat "$probe.err")" >&2
    return 1
  fi
  rm -rf "$probe" "$probe.err"
}

py=/usr/bin/python3
$py -c 'import confluent_kafka' 2>/dev/null || fail "python3-confluent-kafka is not installed"
client() { $py "$(dirname "$0")/serve_replication_client.py" "$@"; }

# wait_until SECONDS CMD...: runs CMD until it succeeds, for up to SECONDS.
wait_until() {
  local deadline=$(( $(date +%s) + $1 ))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}
