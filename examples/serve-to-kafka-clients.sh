#!/usr/bin/env bash
# Serve a log directory to Kafka clients: kq-serve makes the directory a
# one-broker Kafka cluster. kcat produces through it, kq-consume reads the
# same records straight from the directory, and what kq-produce appends to
# the directory reaches a Kafka consumer at once.
set -euo pipefail

kq-topics create greetings --partitions 2

# Listen on a port the kernel picks; the log line says which.
kq-serve --listen 127.0.0.1:0 2> serve.log &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q 'event=listening' serve.log && break
  sleep 0.05
done
broker=$(sed -n 's/.*event=listening address=\([^ ]*\).*/\1/p' serve.log)

# A Kafka client writes keyed records through the server...
printf 'alice\thello\nbob\thi\n' | kcat -b "$broker" -P -t greetings -K '\t'
# ...and they are in the directory, for any kq tool.
kq-consume greetings -f '%k: %s\n' | sort

# The other way: kq-produce writes the directory, kcat reads it through the server.
echo 'carol	hey' | kq-produce greetings -K '\t'
kcat -b "$broker" -C -t greetings -e -q -f '%k: %s\n' | sort

# SIGTERM: in-flight requests finish, partitions are synced and closed.
kill -TERM "$server"
wait "$server"
