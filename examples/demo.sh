#!/usr/bin/env bash
# The `make demo` pipeline: a few lines into a topic and back out again, on
# the default log directory ($KQ_DIR, else ./kq-data).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${KQ_BIN_DIR:-$here/build/bin}
export PATH="$bin:$PATH"
dir=${KQ_DIR:-./kq-data}
topic=demo-$(date +%s)

echo "# producing 5 keyed lines into topic '$topic' in $dir (3 partitions)"
printf 'alice\tlogged in\nbob\tuploaded a file\nalice\tlogged out\ncarol\tlogged in\nbob\tlogged out\n' |
  kq-produce -d "$dir" --partitions 3 -K '\t' --report "$topic"

echo
echo "# consuming them back (partition, offset, key, value)"
kq-consume -d "$dir" -f '%p\t%o\t%k\t%s\n' "$topic"

echo
echo "# the same records as JSON, in timestamp order across partitions"
kq-consume -d "$dir" -J --ordered "$topic"
