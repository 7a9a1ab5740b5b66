#!/usr/bin/env bash
# A topic-to-SQLite sink: kq-consume -G ... --exec runs sqlite3 once per
# batch, commits the group's offsets only after sqlite3 exits 0, and hands
# the batch's offsets to the command, which stores them in the same
# transaction, so a batch delivered again after a crash is skipped.
set -euo pipefail

printf 'alice,3\nbob,5\ncarol,2\n' | kq-produce orders
sqlite3 shop.db 'CREATE TABLE orders(name TEXT, qty INT);
                 CREATE TABLE loaded(topic TEXT, part INT, last INT, PRIMARY KEY(topic, part));'

# The batch arrives as CSV on stdin; KQ_* say where it came from.
cat >load.sh <<'SH'
#!/bin/sh
set -e
done=$(sqlite3 shop.db "SELECT coalesce(max(last), -1) FROM loaded
                        WHERE topic = '$KQ_TOPIC' AND part = $KQ_PARTITION")
[ "$done" -ge "$KQ_LAST_OFFSET" ] && { cat >/dev/null; exit 0; }   # seen already
cat >batch.csv
sqlite3 shop.db <<SQL
BEGIN;
CREATE TEMP TABLE batch(name TEXT, qty INT);
.import --csv batch.csv batch
INSERT INTO orders SELECT * FROM batch;
INSERT OR REPLACE INTO loaded VALUES('$KQ_TOPIC', $KQ_PARTITION, $KQ_LAST_OFFSET);
COMMIT;
SQL
SH
chmod +x load.sh

kq-consume -G loader orders --exec ./load.sh
printf 'dave,7\n' | kq-produce orders
kq-consume -G loader orders --exec ./load.sh     # only the new order
sqlite3 shop.db 'SELECT name, qty FROM orders ORDER BY rowid'
[ "$(sqlite3 shop.db 'SELECT sum(qty) FROM orders')" -eq 17 ]
kq-groups describe loader
