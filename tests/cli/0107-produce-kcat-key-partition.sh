#!/usr/bin/env bash
# kcat's -k with -K (a record's own key wins; -k keys the records without
# the delimiter) and -p -1 (the partitioner decides, as without -p).
. "$(dirname "$0")/helpers.sh"

printf 'a\t1\nno delimiter\n\t3\n' | kq-produce -K '\t' -k fixed t
run kq-consume -e -f '%k=%s\n' t
expect_rc 0
expect_out "$(printf 'a=1\nfixed=no delimiter\n=3')"

# -p -1 places keyed records exactly as no -p does (murmur2 of the key).
kq-topics create with --partitions 4
kq-topics create without --partitions 4
printf 'k%s:v\n' $(seq 1 40) | kq-produce -K : -p -1 with
printf 'k%s:v\n' $(seq 1 40) | kq-produce -K : without
placed=$(kq-consume -e -f '%k %p\n' with | sort)
[ "$placed" = "$(kq-consume -e -f '%k %p\n' without | sort)" ] || fail "-p -1 placed records differently"
[ "$(cut -d' ' -f2 <<<"$placed" | sort -u | wc -l)" -gt 1 ] || fail "-p -1 used one partition only"

run kq-produce -p -2 with </dev/null
expect_rc 2
expect_err_contains "-p: -2 is not a partition number"
pass
