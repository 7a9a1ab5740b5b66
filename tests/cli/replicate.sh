# Shared by the kq-replicate tests (tests/cli/07NN-replicate-*.sh); source it
# after helpers.sh.

# same_logs A B [--records-only]: the same .log files, byte-identical, in
# directories A and B, and the same leader-epoch checkpoints. With
# --records-only, internal topics (__*) and the checkpoints are left out: a
# server's own directory holds its groups' offsets and its own epoch history.
same_logs() {
  local a=$1 b=$2 f
  local -a skip=() epochs=(-o -name leader-epoch-checkpoint)
  if [ "${3:-}" = --records-only ]; then
    skip=(! -path './__*')
    epochs=()
  fi
  [ "$(cd "$a" && find . -name '*.log' "${skip[@]}" | sort)" = \
    "$(cd "$b" && find . -name '*.log' "${skip[@]}" | sort)" ] ||
    fail "different .log files in $a and $b"
  for f in $(cd "$a" && find . \( -name '*.log' "${epochs[@]}" \) "${skip[@]}"); do
    cmp -s "$a/$f" "$b/$f" || fail "$f differs between $a and $b"
  done
}

# stopped_by_term PID LOG: sends SIGTERM to a kq-replicate --follow, waits,
# and fails unless it exited 0 and wrote its summary to LOG.
stopped_by_term() {
  local rc
  kill -TERM "$1"
  set +e
  wait "$1"
  rc=$?
  set -e
  [ "$rc" -eq 0 ] || fail "--follow exited $rc on SIGTERM: $(cat "$2")"
  grep -q "partitions" "$2" || fail "no summary: $(cat "$2")"
}
