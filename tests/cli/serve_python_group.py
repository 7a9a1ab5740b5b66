"""confluent-kafka-python (librdkafka) against kq-serve, for
tests/cli/0603-serve-python-group.sh. Run with Debian's python3.

  serve_python_group.py BOOTSTRAP produce TOPIC FIRST COUNT   idempotent, acks=all
  serve_python_group.py BOOTSTRAP group TOPIC GROUP EXPECTED   two members read
      EXPECTED records between them, each exactly once, committing as they go
"""
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaError, Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, phase, topic = sys.argv[1], sys.argv[2], sys.argv[3]


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def produce(first, count):
    admin = AdminClient({"bootstrap.servers": bootstrap})
    if topic not in admin.list_topics(timeout=10).topics:
        futures = admin.create_topics([NewTopic(topic, num_partitions=4, replication_factor=1)])
        futures[topic].result(10)
    p = Producer({"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": True,
                  "linger.ms": 5})
    errors = []

    def delivered(err, msg):
        if err is not None:
            errors.append(str(err))

    for i in range(first, first + count):
        while True:
            try:
                p.produce(topic, key=b"k%06d" % i, value=b"v%06d" % i, on_delivery=delivered)
                break
            except BufferError:
                p.poll(0.1)
    if p.flush(30) != 0:
        fail("records left unacknowledged after 30 s")
    if errors:
        fail(f"{len(errors)} delivery errors, first: {errors[0]}")


def group(group_id, expected):
    seen = {}
    lock = threading.Lock()
    stop = threading.Event()
    problems = []

    def member(name):
        c = Consumer({"bootstrap.servers": bootstrap, "group.id": group_id,
                      "auto.offset.reset": "earliest", "enable.auto.commit": False,
                      "session.timeout.ms": 10000, "heartbeat.interval.ms": 1000})

        def on_revoke(consumer, partitions):
            try:
                consumer.commit(asynchronous=False)
            except Exception as e:  # nothing to commit yet
                if "NO_OFFSET" not in str(e):
                    problems.append(f"{name}: commit on revoke: {e}")

        c.subscribe([topic], on_revoke=on_revoke)
        pending = 0
        while not stop.is_set():
            msg = c.poll(0.2)
            if msg is None:
                if pending:
                    c.commit(asynchronous=False)
                    pending = 0
                continue
            if msg.error():
                if msg.error().code() != KafkaError._PARTITION_EOF:
                    problems.append(f"{name}: {msg.error()}")
                continue
            key = (msg.partition(), msg.offset())
            with lock:
                if key in seen:
                    problems.append(f"{name}: {key} already read by {seen[key][0]}")
                seen[key] = (name, msg.key())
                if len(seen) >= expected:
                    stop.set()
            pending += 1
            if pending >= 500:
                c.commit(asynchronous=False)
                pending = 0
        if pending:
            c.commit(asynchronous=False)
        c.close()

    threads = [threading.Thread(target=member, args=(f"m{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    deadline = time.time() + 90
    while not stop.is_set() and time.time() < deadline:
        time.sleep(0.2)
    stop.set()
    for t in threads:
        t.join(60)
    if problems:
        fail("; ".join(problems[:5]))
    if len(seen) != expected:
        fail(f"read {len(seen)} records, expected {expected}")
    members = {who for who, _ in seen.values()}
    if len(members) != 2:
        fail(f"only {sorted(members)} read records: the group did not share the partitions")
    print(f"ok: {len(seen)} records read once by {sorted(members)}")


if phase == "produce":
    produce(int(sys.argv[4]), int(sys.argv[5]))
elif phase == "group":
    group(sys.argv[4], int(sys.argv[5]))
else:
    fail("unknown phase " + phase)
