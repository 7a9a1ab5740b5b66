#!/usr/bin/env bash
# A follower whose topic is deleted says so and exits 1, instead of naming
# the system call that found the directory gone.
. "$(dirname "$0")/helpers.sh"

echo first | kq-produce gone
kq-consume gone -F > follow.out 2> follow.err &
follower=$!
wait_for_line follow.out first 5 || fail "the follower did not start"
kq-topics delete gone >/dev/null 2>&1
set +e
timeout 20 tail --pid="$follower" -f /dev/null
wait "$follower"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "exit $rc after the topic was deleted: $(cat follow.err)"
grep -q "topic 'gone' was deleted" follow.err || fail "stderr: $(cat follow.err)"
! grep -q opendir follow.err || fail "stderr names the system call: $(cat follow.err)"
echo "ok"
