#!/usr/bin/env bash
# The one difference from kcat -P that a kcat user trips on is said first,
# in --help and in the man page: a FILE operand is read as stdin is, one
# record per line, and -l makes each FILE one record (kcat: each FILE is one
# message, and -l splits it into lines). And it is true.
. "$(dirname "$0")/helpers.sh"
src=${KQ_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}

run kq-produce --help
expect_rc 0
first_lines=$(head -4 <<<"$OUT")
case $first_lines in
  *"Unlike kcat -P: a FILE is read as stdin is, one record per line"*"-l makes each FILE one record"*) ;;
  *) fail "--help does not open with the FILE difference from kcat: [$first_lines]" ;;
esac

# The man page says it before anything else in DESCRIPTION.
description=$(sed -n '/^\.SH DESCRIPTION/,/^\.PP/p' "$src/man/kq-produce.1")
case $description in
  *"Unlike kcat \\-P:"*"operand is read as standard input is, one record per line"*) ;;
  *) fail "man/kq-produce.1 does not open DESCRIPTION with the FILE difference: [$description]" ;;
esac

printf 'a\nb\nc' >three.txt
printf 'x\ny\n' >two.txt
kq-produce lines three.txt two.txt
run kq-consume lines -e
expect_out "$(printf 'a\nb\nc\nx\ny')"
kq-produce -l whole three.txt two.txt
run kq-consume whole -e -f '%s|'
expect_out "$(printf 'a\nb\nc|x\ny\n|')"
