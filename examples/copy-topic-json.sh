#!/usr/bin/env bash
# Copy a topic losslessly with JSON lines: kq-consume -J prints each record's
# partition, timestamp, key, value and headers (base64 for bytes that are not
# UTF-8, null for null), and kq-produce -J writes exactly that back.
set -euo pipefail

kq-topics create orders --partitions 2 > /dev/null 2>&1
kq-topics create orders-copy --partitions 2 > /dev/null 2>&1
printf 'alice\t{"item":"book"}\nbob\t{"item":"pen"}\ncarol\t\n' | kq-produce -K '\t' -H source=shop orders

kq-consume -J orders | kq-produce -J orders-copy

# Same records, same partitions, same timestamps, keys, values and headers.
echo "# the copy"
kq-consume -J orders-copy
strip() { sed -E 's/"topic":"[^"]*",//'; }
diff <(kq-consume -J orders | strip) <(kq-consume -J orders-copy | strip)
echo "# identical"
