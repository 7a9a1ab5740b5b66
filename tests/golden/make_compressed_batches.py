#!/usr/bin/python3
"""Produces the gzip, snappy and lz4 cases of librdkafka-batches.json.

Run once by hand (the tests only read its output): for each codec, a
librdkafka producer (confluent-kafka-python over Debian's librdkafka) sends 50
records in one batch to librdkafka's own mock cluster
(`test.mock.num.brokers`), and a plain Fetch v4 request, written out below,
reads the batch back exactly as the mock broker stored it. kq is not involved,
so the bytes are a real Kafka client's.

    /usr/bin/python3 tests/golden/make_compressed_batches.py > /tmp/cases.json

prints the new cases as a JSON array in the file's own shape; they are then
appended to librdkafka-batches.json.
"""
import json
import socket
import struct
import sys

import confluent_kafka

BASE_TS = 1795000000000
CODECS = {"gzip": 1, "snappy": 2, "lz4": 3}


def records():
    """50 records, about 70 KiB in all (more than one 64 KiB lz4 block): keys
    repeat, one null key, one tombstone, headers on some, one timestamp below
    the first (a negative delta)."""
    out = []
    for i in range(50):
        key = None if i == 10 else f"key-{i % 7}".encode()
        value = None if i == 20 else (f"value-{i}-" + f"lorem ipsum {i} dolor " * 70).encode()
        headers = []
        if i % 5 == 0:
            headers.append(("trace", f"id-{i}".encode()))
        if i == 15:
            headers.append(("nh", None))
        ts = BASE_TS - 7 if i == 3 else BASE_TS + i
        out.append((ts, key, value, headers))
    return out


def fetch_v4(host, port, topic, partition):
    """The records bytes of partition `partition` from offset 0 (Fetch v4:
    the oldest version that carries RecordBatch v2, no flexible fields)."""
    client = b"golden"
    body = struct.pack(">iiiib", -1, 1000, 1, 8 << 20, 0)  # replica, wait, min, max, isolation
    body += struct.pack(">i", 1) + struct.pack(">h", len(topic)) + topic.encode()
    body += struct.pack(">i", 1) + struct.pack(">iqi", partition, 0, 8 << 20)
    header = struct.pack(">hhih", 1, 4, 7, len(client)) + client
    frame = header + body
    with socket.create_connection((host, port)) as s:
        s.sendall(struct.pack(">i", len(frame)) + frame)
        size = struct.unpack(">i", recv_exactly(s, 4))[0]
        resp = recv_exactly(s, size)
    pos = 0

    def take(fmt):
        nonlocal pos
        vals = struct.unpack_from(fmt, resp, pos)
        pos += struct.calcsize(fmt)
        return vals

    (correlation,) = take(">i")
    assert correlation == 7
    take(">i")  # throttle_time_ms
    (ntopics,) = take(">i")
    assert ntopics == 1
    (tlen,) = take(">h")
    pos += tlen
    (nparts,) = take(">i")
    assert nparts == 1
    part, error, _hw, _lso = take(">ihqq")
    assert part == partition and error == 0, error
    (naborted,) = take(">i")
    pos += max(naborted, 0) * 16
    (rlen,) = take(">i")
    return resp[pos:pos + rlen]


def recv_exactly(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError("broker closed the connection")
        data += chunk
    return data


def header_fields(batch):
    (base_offset, batch_length, epoch, magic, crc, attributes, last_offset_delta, base_ts,
     max_ts, producer_id, producer_epoch, base_sequence, count) = struct.unpack_from(
         ">qiibIhiqqqhii", batch, 0)
    return {"base_offset": base_offset, "batch_length": batch_length,
            "partition_leader_epoch": epoch, "magic": magic, "crc32c": crc,
            "attributes": attributes, "compression": attributes & 7,
            "last_offset_delta": last_offset_delta, "base_timestamp": base_ts,
            "max_timestamp": max_ts, "producer_id": producer_id,
            "producer_epoch": producer_epoch, "base_sequence": base_sequence,
            "record_count": count}


def hex_or_null(b):
    return None if b is None else b.hex()


def capture(codec):
    topic = f"golden-{codec}"
    producer = confluent_kafka.Producer({
        "test.mock.num.brokers": 1, "compression.type": codec, "linger.ms": 2000,
        "batch.num.messages": 10000, "acks": "all", "enable.idempotence": False})
    recs = records()
    for ts, key, value, headers in recs:
        producer.produce(topic, value=value, key=key, partition=0, timestamp=ts,
                         headers=headers or None)
    assert producer.flush(30) == 0
    meta = producer.list_topics(topic, timeout=10)
    leader = meta.topics[topic].partitions[0].leader
    broker = meta.brokers[leader]
    data = fetch_v4(broker.host, broker.port, topic, 0)
    size = 12 + struct.unpack_from(">i", data, 8)[0]
    assert size == len(data), "expected exactly one batch"
    h = header_fields(data)
    assert h["compression"] == CODECS[codec] and h["record_count"] == len(recs), h
    return {
        "name": f"{codec}-50",
        "produced_by": (f"librdkafka {confluent_kafka.libversion()[0]} (confluent-kafka-python "
                        f"{confluent_kafka.version()[0]}), compression.type={codec}, stored by "
                        "librdkafka's mock cluster and read back with Fetch v4"),
        "batch_hex": data.hex(),
        "header": h,
        "records": [{"offset_delta": i, "timestamp": ts, "key_hex": hex_or_null(key),
                     "value_hex": hex_or_null(value),
                     "headers": [[name, hex_or_null(v)] for name, v in headers]}
                    for i, (ts, key, value, headers) in enumerate(recs)],
    }


if __name__ == "__main__":
    json.dump([capture(c) for c in CODECS], sys.stdout, indent=1)
    sys.stdout.write("\n")
