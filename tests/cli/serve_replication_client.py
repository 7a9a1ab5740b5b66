"""Kafka client steps for the replication tests (tests/cli/072*-serve-*.sh),
through confluent-kafka. Run with Debian's python3.

  serve_replication_client.py produce BOOTSTRAP TOPIC COUNT ACKED_FILE
      an idempotent acks=all producer; the key of every acknowledged record
      goes to ACKED_FILE, one a line, as acknowledgements arrive. Keeps
      going through errors (the leader may be killed under it).
  serve_replication_client.py send BOOTSTRAP TOPIC ACKS VALUE
      one record, no retries; prints "ok OFFSET" or the error's name
      (NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...).
  serve_replication_client.py isr BOOTSTRAP TOPIC
      partition 0's replicas and in-sync replicas: "replicas=0,2 isr=0,2".
  serve_replication_client.py high BOOTSTRAP TOPIC
      partition 0's high watermark as a consumer sees it.
"""
import sys

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

cmd, bootstrap, topic = sys.argv[1], sys.argv[2], sys.argv[3]
quiet = {"bootstrap.servers": bootstrap, "log_level": 0}

if cmd == "produce":
    count, acked_path = int(sys.argv[4]), sys.argv[5]
    acked = open(acked_path, "w", buffering=1)

    def delivered(err, msg):
        if err is None:
            acked.write(msg.key().decode() + "\n")

    p = Producer({**quiet, "acks": "all", "enable.idempotence": True, "linger.ms": 2,
                  "batch.num.messages": 50, "message.timeout.ms": 60000,
                  "reconnect.backoff.ms": 50, "reconnect.backoff.max.ms": 200})
    for i in range(count):
        while True:
            try:
                p.produce(topic, key=b"k%07d" % i, value=b"v%07d" % i, on_delivery=delivered)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
        if i % 50 == 0:
            p.poll(0.005)  # a steady stream, not one burst
    p.flush(60)
elif cmd == "send":
    acks, value = sys.argv[4], sys.argv[5]
    result = []
    p = Producer({**quiet, "acks": acks, "retries": 0, "message.timeout.ms": 10000,
                  "request.timeout.ms": 5000})
    p.produce(topic, value=value.encode(),
              on_delivery=lambda err, msg: result.append(
                  f"ok {msg.offset()}" if err is None else err.name()))
    p.flush(15)
    print(result[0] if result else "NO_REPORT")
elif cmd == "isr":
    md = Consumer({**quiet, "group.id": "kq-isr-probe"}).list_topics(topic, timeout=10)
    part = md.topics[topic].partitions[0]
    print("replicas=%s isr=%s" % (",".join(map(str, part.replicas)),
                                  ",".join(map(str, part.isrs))))
elif cmd == "high":
    c = Consumer({**quiet, "group.id": "kq-hw-probe"})
    low, high = c.get_watermark_offsets(TopicPartition(topic, 0), timeout=10, cached=False)
    print(high)
else:
    sys.exit(f"unknown command {cmd}")
