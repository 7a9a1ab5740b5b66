#!/usr/bin/env bash
# kq-consume -f: kcat's \NNN octal escape and %R, the value length as a
# 4-byte big-endian prefix (a binary framing a reader can split on).
. "$(dirname "$0")/helpers.sh"

printf 'hello\n\n' | kq-produce t
printf '{"payload":null}\n' | kq-produce -J t
kq-consume -e -f '%R%s' t >framed.bin
[ "$(od -An -tx1 -v framed.bin | tr -s ' \n' ' ')" = \
  " 00 00 00 05 68 65 6c 6c 6f 00 00 00 00 ff ff ff ff " ] ||
  fail "framing differs: $(od -An -tx1 -v framed.bin)"

run kq-consume -e -o 0 -c 1 -f '\101%s\012' t
expect_out "Ahello"
run kq-consume -e -f '\400' t
expect_rc 2
expect_err_contains "octal escape '\\400' is above \\377"
# -D takes the same escapes: \054 is ','.
printf 'a,b' | kq-produce -D '\054' d
run kq-consume -e d
expect_out "$(printf 'a\nb')"
pass
