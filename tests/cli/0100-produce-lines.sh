#!/usr/bin/env bash
# kq-produce line mode: delimiters, keys, headers, nulls, -c, -T, -p, -l and
# --report, read back with kq-consume (or, when it is not built, from the
# report and the segment file itself).
. "$(dirname "$0")/helpers.sh"

have_consume() { command -v kq-consume >/dev/null; }
log_of() { echo "$KQ_DIR/$1-${2:-0}/00000000000000000000.log"; }

# Keys split at the first tab; a line without a tab has a null key; the last
# line needs no newline; an empty line is an empty record.
run sh -c "printf 'k1\tv1\nk2\tv\t2\nnokey\n\n\tempty-key\nlast' | kq-produce -K '\t' --report t"
expect_rc 0
expect_out_contains '"records":6'
expect_out_contains '"first_offset":0,"last_offset":5'
if have_consume; then
  run kq-consume -e t -f '%K:%k|%S:%s\n'
  expect_rc 0
  expect_out "$(printf '2:k1|2:v1\n2:k2|3:v\t2\n-1:|5:nokey\n-1:|0:\n0:|9:empty-key\n-1:|4:last')"
else
  grep -q 'empty-key' "$(log_of t)" || fail "value not in the log"
fi

# Binary safe: NUL as the delimiter, bytes that are not UTF-8 kept.
run sh -c "printf 'a\\0b\\377\\0c' | kq-produce -D '\\0' --report bin"
expect_rc 0
expect_out_contains '"records":3'
if have_consume; then
  [ "$(kq-consume -e bin -f '%s\n' | od -An -c | tr -s ' ')" = "$(printf 'a\nb\377\nc\n' | od -An -c | tr -s ' ')" ] ||
    fail "binary values differ"
fi

# A multi-byte delimiter, also when a chunk boundary could cut it.
run sh -c "printf 'one--two--three' | kq-produce -D -- --report multi"
expect_rc 0
expect_out_contains '"records":3'

# -k, -H (order kept, empty value, repeated name), -Z, -p, -c, -T.
run sh -c "printf 'x\n\ny\nz\n' | kq-produce -k K -H b=2 -H a= -H b=3 -Z -c 3 -T --partitions 3 -p 2 --report h"
expect_rc 0
[ "$(echo "$OUT" | head -n 3)" = "$(printf 'x\n\ny')" ] || fail "-T echo: [$OUT]"
expect_out_contains '"partitions":[{"partition":2,"records":3,'
expect_out_contains '"first_offset":0,"last_offset":2}]}'
if have_consume; then
  run kq-consume -e h -f '%p %k %S %h\n'
  expect_rc 0
  expect_out "$(printf '2 K 1 b=2,a=,b=3\n2 K -1 b=2,a=,b=3\n2 K 1 b=2,a=,b=3')"
fi

# -l: each file is one record, newlines and all.
printf 'line1\nline2\n' >f1
printf 'only' >f2
run kq-produce -l --report whole f1 f2
expect_rc 0
expect_out_contains '"records":2'
if have_consume; then
  run kq-consume -e whole -f '[%s]'
  expect_out "$(printf '[line1\nline2\n][only]')"
fi

# Files and '-' (stdin) in order, topic by -t.
printf 'from-file\n' >f3
run sh -c "printf 'from-stdin\n' | kq-produce -t order f3 - f3"
expect_rc 0
if have_consume; then
  run kq-consume -e order
  expect_out "$(printf 'from-file\nfrom-stdin\nfrom-file')"
fi

# stdin redirected from a regular file (read through a mapping): same rules.
printf 'm1\tv1\n\nm3--x\tlast' >regular.txt
run sh -c "kq-produce -K '\t' --report mapped <regular.txt"
expect_rc 0
expect_out_contains '"records":3'
run sh -c "kq-produce -D -- -c 1 --report mapped2 <regular.txt"
expect_out_contains '"records":1'
if have_consume; then
  run kq-consume -e mapped -f '%K:%k|%s\n'
  expect_out "$(printf '2:m1|v1\n-1:|\n5:m3--x|last')"
  run kq-consume -e mapped2 -f '[%s]'
  expect_out "$(printf '[m1\tv1\n\nm3]')"
fi

# A second run appends after the first: the report shows the new offsets.
run sh -c "printf 'more\n' | kq-produce --report t"
expect_out_contains '"first_offset":6,"last_offset":6'
expect_out_contains '"created":false'

# Batches in each of Kafka's codecs read back the same, and say their codec
# in the segment (kq-compact --dump prints it).
for codec in gzip snappy lz4 zstd; do
  run sh -c "seq 1 1000 | kq-produce -z $codec --report z-$codec"
  expect_rc 0 "-z $codec"
  expect_out_contains '"records":1000'
  if have_consume; then
    [ "$(kq-consume -e z-$codec | md5sum)" = "$(seq 1 1000 | md5sum)" ] || fail "$codec round trip differs"
  fi
  if command -v kq-compact >/dev/null; then
    run kq-compact --dump "z-$codec:0"
    expect_out_contains "$codec" "the dump names the codec"
  fi
done
pass
