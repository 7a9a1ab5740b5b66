#!/usr/bin/env bash
# kq-groups with a live member (a following `kq-consume -G`): describe shows
# the member holding each partition; reset --execute and delete refuse while
# it lives and work once it is gone; the plan alone is still shown.
. "$(dirname "$0")/helpers.sh"

command -v kq-consume >/dev/null || { echo "skip: kq-consume is not built"; pass; exit 0; }

kq-topics create t --partitions 2 >/dev/null 2>&1
printf 'a\nb\nc\n' | kq-produce -q t -p 0
printf 'x\n' | kq-produce -q t -p 1

kq-consume -G g -F t >"$KQ_TEST_TMP/consumed" 2>"$KQ_TEST_TMP/consume.err" &
member=$!
trap 'kill $member 2>/dev/null || true; rm -rf "$KQ_TEST_TMP"' EXIT

# Wait (at most 10 s) until the member holds both partitions and committed.
for _ in $(seq 100); do
  run kq-groups describe g
  if [ "$RC" -eq 0 ] && [ "$(printf '%s\n' "$OUT" | awk 'NR > 1 && $6 != "-"' | wc -l)" -eq 2 ] &&
     [ "$(printf '%s\n' "$OUT" | awk 'NR > 1 && $5 == "0"' | wc -l)" -eq 2 ]; then
    break
  fi
  sleep 0.1
done
expect_rc 0
printf '%s\n' "$OUT" | awk 'NR > 1 { print $6 }' | grep -q -- "-$member-" ||
  fail "describe does not name member pid $member: [$OUT]"
expect_out_contains "t      0          3               3               0"

run kq-groups list --json
expect_out '[{"committed_partitions":2,"group":"g","members":1}]'

run kq-groups reset g --to-earliest
expect_rc 0 "the plan is shown while the group is active"
run kq-groups reset g --to-earliest --execute
expect_rc 1
expect_err_contains "group 'g' is active"
run kq-groups delete g
expect_rc 1
expect_err_contains "not empty"

kill -KILL $member
wait $member 2>/dev/null || true

# The dead member's lock went with it: the group is inactive now.
run kq-groups describe g
expect_rc 0
expect_err_contains "no active members"
run kq-groups reset g --to-earliest --execute
expect_rc 0
expect_out_contains "t      0          3               0"
run kq-groups delete g
expect_rc 0
[ ! -d "$KQ_DIR/.kq/groups/g" ] || fail "the group's membership folder is still there"
pass
