#!/usr/bin/env bash
# Pipe a log file into a topic, then show that every line was stored.
#
# The everyday use of kq-produce: each line of a file (or of `tail -F`'s
# output) becomes one record. Here a small web server log is split into key
# (the client address, before the first space) and value (the rest), so all
# lines of one client land on the same partition, in order.
set -euo pipefail

# A deterministic sample log (in real life: /var/log/nginx/access.log).
cat >access.log <<'LOG'
10.0.0.1 GET /index.html 200
10.0.0.2 GET /about.html 200
10.0.0.1 GET /missing 404
10.0.0.3 POST /login 302
10.0.0.2 GET /index.html 304
10.0.0.1 GET /logout 200
LOG

# One shot: the whole file. --report prints what was written where.
# (To keep following a growing file: tail -n +1 -F access.log | kq-produce ...)
kq-produce --partitions 3 -K ' ' --report access access.log

# Read it back. With kq-consume: partition, key and value of every record.
if command -v kq-consume >/dev/null; then
  kq-consume -e access -f '%p %k %s\n' | sort >stored.txt
  cat stored.txt
  # Every line of the log is there exactly once.
  [ "$(wc -l <stored.txt)" -eq "$(wc -l <access.log)" ]
  # And each client's lines are on one partition.
  [ "$(awk '{print $1, $2}' stored.txt | sort -u | awk '{print $2}' | uniq -d | wc -l)" -eq 0 ]
else
  # Without kq-consume, the segment files show the values are stored.
  cat "${KQ_DIR:-./kq-data}"/access-*/00000000000000000000.log | grep -a -c 'GET\|POST'
fi
