#!/usr/bin/env bash
# kq-topics offsets --at after a trim whose new log start lies inside a
# batch: the records below the log start are gone and do not answer, so the
# offset is never below the log start and is the first record at or after
# it with a timestamp >= TIME.
. "$(dirname "$0")/helpers.sh"

# One batch: offsets 0..2 with timestamps 3000, 1000, 2000; then 3 at 5000.
printf '%s\n' '{"payload":"a","ts":3000}' '{"payload":"b","ts":1000}' '{"payload":"c","ts":2000}' |
  kq-produce -J t
echo '{"payload":"e","ts":5000}' | kq-produce -J t
kq-topics trim t:0 --before 1 >/dev/null

run kq-topics offsets t --json
expect_out '[{"earliest":1,"latest":4,"partition":0,"topic":"t"}]'
# Offset 0 (3000) is gone; 1 (1000) and 2 (2000) are below 2500: offset 3.
run kq-topics offsets t --at 2500 --json
expect_out '[{"offset":3,"partition":0,"timestamp":2500,"topic":"t"}]'
run kq-topics offsets t --at 1500 --json
expect_out '[{"offset":2,"partition":0,"timestamp":1500,"topic":"t"}]'
