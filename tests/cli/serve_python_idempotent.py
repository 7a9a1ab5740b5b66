"""An idempotent producer (acks=all) that keeps producing through kq-serve
being killed and restarted, for tests/cli/0604-serve-kill-idempotent.sh. Run
with Debian's python3.

  serve_python_idempotent.py BOOTSTRAP TOPIC COUNT ACKED_FILE

Writes the key of every acknowledged record to ACKED_FILE, one a line, as
the acknowledgements arrive.
"""
import sys

from confluent_kafka import Producer

bootstrap, topic, count, acked_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
acked = open(acked_path, "w", buffering=1)
errors = []


def delivered(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        acked.write(msg.key().decode() + "\n")


p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
              "linger.ms": 2, "batch.num.messages": 200, "message.timeout.ms": 120000,
              "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200})
for i in range(count):
    while True:
        try:
            p.produce(topic, key=b"k%07d" % i, value=b"v" * 50, on_delivery=delivered)
            break
        except BufferError:
            p.poll(0.05)
    if i % 100 == 0:
        p.poll(0)
left = p.flush(120)
acked.close()
if left or errors:
    print(f"FAIL: {left} unacknowledged, {len(errors)} errors: {errors[:3]}", file=sys.stderr)
    sys.exit(1)
