#!/usr/bin/env bash
# -o @T1:T2 is a range of positions found as Kafka's offsets-for-times finds
# them (man kq-consume): exact for timestamps that only grow, and by position
# when producers set them out of order.
. "$(dirname "$0")/helpers.sh"

json() { printf '{"ts":%s,"payload":"%s"}\n' "$@"; }
{ json 1000 a; json 2000 b; json 3000 c; json 4000 d; } | kq-produce -J ordered
run kq-consume ordered -o @1500:3500 -f '%T %s\n'
expect_rc 0
expect_out "$(printf '2000 b\n3000 c')" "growing timestamps: exactly [T1, T2)"

{ json 3000 a; json 1000 b; json 2000 c; json 4000 d; } | kq-produce -J shuffled
run kq-consume shuffled -o @1500:2500 -f '%o %T\n'
expect_rc 0
expect_out "" "the first record at or after 1500 is also the first at or after 2500"
run kq-consume shuffled -o @1500:3500 -f '%o %T\n'
expect_out "$(printf '0 3000\n1 1000\n2 2000')" "positions from offset 0 up to offset 3 (ts 4000)"
echo "ok"
