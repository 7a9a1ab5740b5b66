#!/usr/bin/env bash
# kq-produce refuses bad arguments and unusable directories with a clear
# message and the right exit code, and writes nothing.
. "$(dirname "$0")/helpers.sh"

nothing_written() {
  [ ! -e "$KQ_DIR" ] || [ -z "$(ls -A "$KQ_DIR")" ] || fail "something was written for: $1: $(ls -R "$KQ_DIR")"
}

long=$(printf 'a%.0s' $(seq 250))
# rc | expected message part | arguments (eval'd)
while IFS='|' read -r rc message args; do
  [ -n "$rc" ] || continue
  run sh -c "echo x | kq-produce $args"
  expect_rc "$rc" "$args"
  expect_err_contains "$message" "$args"
  nothing_written "$args"
done <<EOF_TABLE
2|contains '/'|../x
2|contains '/'|a/b
2|topic name is empty|''
2|topic name is empty|-t ''
2|250 characters long|$long
2|no topic given|
2|was not expected: --bogus|--bogus t
2|expected NAME=VALUE|-H novalue t
2|header name is empty|-H =v t
2|-p: -2 is not a partition number|-p -2 t
2|-D: unknown escape|-D '\\q' t
2|-D: the delimiter must not be empty|-D '' t
2|-z: 'brotli' is not supported|-z brotli t
2|--partitioner: unknown partitioner|--partitioner nope t
2|--flush: bad flush policy|--flush sometimes t
2|-c: -1 is negative|-c -1 t
2|--partitions: 0 is out of range|--partitions 0 t
2|--batch-bytes: 0 is out of range|--batch-bytes 0 t
2|--linger-ms: -1 is out of range|--linger-ms -1 t
2|-p 3: topic 't' has 3 partitions (0..2)|--partitions 3 -p 3 t
2|--count: 'many' is not a number|-c many t
1|missing.txt|t missing.txt
1|does not exist (--no-create)|--no-create t
1|parent directory|-d $KQ_TEST_TMP/no/such/dir t
1|cannot reach the cluster at '127.0.0.1:1'|-b 127.0.0.1:1 t
2|-X: 'nokv' is not key=value|-b 127.0.0.1:1 -X nokv t
EOF_TABLE

# A missing topic with --no-create in an existing directory.
kq-produce keep </dev/null
run sh -c "echo x | kq-produce --no-create other"
expect_rc 1
expect_err_contains "topic 'other' does not exist"
[ ! -e "$KQ_DIR/other-0" ] || fail "--no-create created the topic"

# -p beyond an existing topic's partitions.
run sh -c "echo x | kq-produce -p 1 keep"
expect_rc 2
expect_err_contains "-p 1: topic 'keep' has 1 partition"

# A directory that is a file.
: >plainfile
run sh -c "echo x | kq-produce -d plainfile t"
expect_rc 1
expect_err_contains "plainfile is not a directory"

# A read-only directory: run as an unprivileged user when we are root
# (root ignores permissions).
as_user() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    as_user() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
    chmod 755 "$KQ_TEST_TMP"
  else
    as_user() { return 99; }
  fi
fi
mkdir ro
kq-produce -d ro/kq existing </dev/null
chmod -R a-w ro
run as_user kq-produce -d ro/kq newtopic </dev/null
if [ "$RC" -ne 99 ]; then
  expect_rc 1 "read-only directory, new topic"
  expect_err_contains "ro/kq"
  [ ! -e ro/kq/newtopic-0 ] || fail "a topic was created in a read-only directory"
  run as_user sh -c "echo x | kq-produce -d ro/kq existing"
  expect_rc 1 "read-only directory, existing topic"
  expect_err_contains "existing-0"
  [ ! -s ro/kq/existing-0/00000000000000000000.log ] || fail "a record was written"
else
  echo "note: no unprivileged user to test a read-only directory with"
fi
chmod -R u+w ro
pass
