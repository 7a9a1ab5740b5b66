#!/usr/bin/env bash
# kq-topics list in a log directory that does not exist yet: there are no
# topics, so it prints nothing (--json: []) and exits 0, creating nothing. A
# path that is a file is still an error.
. "$(dirname "$0")/helpers.sh"

run kq-topics list -d "$KQ_TEST_TMP/not-yet"
expect_rc 0
expect_out ""
[ -z "$ERR" ] || fail "unexpected stderr: $ERR"
run kq-topics list --json -d "$KQ_TEST_TMP/not-yet/deeper"
expect_rc 0
expect_out "[]"
[ ! -e "$KQ_TEST_TMP/not-yet" ] || fail "list created the directory"
# $KQ_DIR not created yet either.
run kq-topics list
expect_rc 0
expect_out ""

touch afile
run kq-topics list -d "$KQ_TEST_TMP/afile"
expect_rc 1
expect_err_contains "is not a directory"
pass
