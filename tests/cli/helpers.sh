# Shared helpers for the CLI tests (tests/cli/NNNN-*.sh). Source it first:
#   . "$(dirname "$0")/helpers.sh"
# Each test runs in its own temporary directory with KQ_DIR set there; the
# built tools are first on PATH (CTest sets it; see tests/CMakeLists.txt).
set -euo pipefail

KQ_TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/kq-cli-XXXXXX")
trap 'rm -rf "$KQ_TEST_TMP"' EXIT
export KQ_DIR="$KQ_TEST_TMP/kq-data"
unset KQ_BROKERS
cd "$KQ_TEST_TMP"

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run CMD...: runs a command, keeping its stdout in $OUT, stderr in $ERR and
# exit code in $RC, without stopping the test on failure.
run() {
  set +e
  "$@" >"$KQ_TEST_TMP/.out" 2>"$KQ_TEST_TMP/.err"
  RC=$?
  set -e
  OUT=$(cat "$KQ_TEST_TMP/.out")
  ERR=$(cat "$KQ_TEST_TMP/.err")
}

expect_rc() {
  [ "$RC" -eq "$1" ] || fail "expected exit $1, got $RC${2:+ ($2)}; stderr: $ERR"
}

expect_out() {
  [ "$OUT" = "$1" ] || fail "stdout differs${2:+ ($2)}: expected [$1], got [$OUT]"
}

expect_err_contains() {
  case "$ERR" in
    *"$1"*) ;;
    *) fail "stderr does not mention [$1]${2:+ ($2)}: [$ERR]" ;;
  esac
}

expect_out_contains() {
  case "$OUT" in
    *"$1"*) ;;
    *) fail "stdout does not mention [$1]${2:+ ($2)}: [$OUT]" ;;
  esac
}

# wait_for_line FILE TEXT SECONDS: true once FILE has a line that is TEXT.
wait_for_line() {
  local deadline=$(( $(date +%s%N) + $3 * 1000000000 ))
  while [ "$(date +%s%N)" -lt "$deadline" ]; do
    grep -qx -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.02
  done
  return 1
}

pass() {
  echo "ok: $(basename "$0")"
}
