#!/usr/bin/env bash
# A file-to-topic source that survives restarts: kq-produce --follow tails a
# log the way `tail -F` does and stores the file's position with the lines
# it appends, so stopping it (even with kill -9) and starting it again
# neither loses nor repeats a line, also across a log rotation.
set -euo pipefail

printf 'GET /a 200\nGET /b 404\n' >app.log
kq-produce --follow --poll-ms 50 access app.log &
pid=$!
# (In real life it just keeps running; here we wait for the lines.)
until [ "$(kq-consume access 2>/dev/null | wc -l)" -eq 2 ]; do sleep 0.05; done
kill -9 $pid; wait $pid 2>/dev/null || true     # a crash

# While it is down the log grows and is rotated.
echo 'GET /c 200' >>app.log
mv app.log app.log.1
echo 'GET /d 500' >app.log

kq-produce --follow --poll-ms 50 access app.log &
pid=$!
until [ "$(kq-consume access 2>/dev/null | wc -l)" -eq 4 ]; do sleep 0.05; done
kill $pid; wait $pid                             # a clean stop: exit 0

kq-consume access                                # every line once, in order
[ "$(kq-consume access | tr '\n' ' ')" = "GET /a 200 GET /b 404 GET /c 200 GET /d 500 " ]
# The position travels in the kq.position header of each batch.
kq-consume access -o -1 -f '%h\n'
