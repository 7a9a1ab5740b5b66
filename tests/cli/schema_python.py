#!/usr/bin/python3
"""Confluent's own Python client code against kq-serve's schema registry.

  schema_python.py REGISTRY BROKER produce-json TOPIC N   JSONSerializer (auto-registers)
  schema_python.py REGISTRY BROKER produce-avro TOPIC N   legacy AvroProducer (python3-avro)
  schema_python.py REGISTRY BROKER consume-json TOPIC N   JSONDeserializer, prints values
  schema_python.py REGISTRY BROKER consume-avro TOPIC N   AvroConsumer, prints values
  schema_python.py REGISTRY - client                     SchemaRegistryClient calls
Prints one JSON line per value consumed; exits non-zero on any failure.
"""
import json
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.serialization import MessageField, SerializationContext

JSON_SCHEMA = json.dumps({
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "Reading", "type": "object",
    "properties": {"sensor": {"type": "string"}, "value": {"type": "number"}},
    "required": ["sensor", "value"]})
AVRO_SCHEMA = json.dumps({
    "type": "record", "name": "Reading", "namespace": "lab",
    "fields": [{"name": "sensor", "type": "string"}, {"name": "value", "type": "double"},
               {"name": "unit", "type": ["null", "string"], "default": None}]})


def client_calls(url):
    c = SchemaRegistryClient({"url": url})
    sid = c.register_schema("py-value", Schema(AVRO_SCHEMA, "AVRO"))
    assert c.register_schema("py-value", Schema(AVRO_SCHEMA, "AVRO")) == sid
    got = c.get_schema(sid)
    assert json.loads(got.schema_str) == json.loads(AVRO_SCHEMA), got.schema_str
    latest = c.get_latest_version("py-value")
    assert latest.schema_id == sid and latest.version == 1, latest
    assert "py-value" in c.get_subjects()
    assert c.get_versions("py-value") == [1]
    looked = c.lookup_schema("py-value", Schema(AVRO_SCHEMA, "AVRO"))
    assert looked.schema_id == sid
    bad = json.dumps({"type": "record", "name": "Reading", "namespace": "lab",
                      "fields": [{"name": "sensor", "type": "int"}]})
    assert c.test_compatibility("py-value", Schema(bad, "AVRO")) is False
    try:
        c.register_schema("py-value", Schema(bad, "AVRO"))
        raise AssertionError("incompatible schema registered")
    except SchemaRegistryError as e:
        assert e.http_status_code == 409, e
    try:
        c.get_schema(9999)
        raise AssertionError("unknown id found")
    except SchemaRegistryError as e:
        assert e.http_status_code == 404 and e.error_code == 40403, e
    try:
        c.register_schema("py-value", Schema('{"type":"recordz"}', "AVRO"))
        raise AssertionError("malformed schema registered")
    except SchemaRegistryError as e:
        assert e.error_code == 42201, e
    assert c.set_compatibility("py-value", "FULL")["compatibility"] == "FULL"
    assert c.get_compatibility("py-value") == "FULL"
    # The client soft-deletes, then deletes permanently.
    assert c.delete_subject("py-value", permanent=True) == [1]
    assert "py-value" not in c.get_subjects()
    c.register_schema("one-value", Schema('"string"', "AVRO"))
    assert c.delete_version("one-value", 1) == 1
    try:
        c.delete_subject("one-value")
        raise AssertionError("a soft-deleted subject deleted again")
    except SchemaRegistryError as e:
        assert e.error_code == 40404, e
    print("client ok")


def produce_json(url, broker, topic, n):
    from confluent_kafka.schema_registry.json_schema import JSONSerializer
    ser = JSONSerializer(JSON_SCHEMA, SchemaRegistryClient({"url": url}))
    p = Producer({"bootstrap.servers": broker})
    for i in range(n):
        value = ser({"sensor": "s%d" % i, "value": i + 0.5},
                    SerializationContext(topic, MessageField.VALUE))
        p.produce(topic, value)
    assert p.flush(30) == 0


def produce_avro(url, broker, topic, n):
    from confluent_kafka import avro
    from confluent_kafka.avro import AvroProducer
    schema = avro.loads(AVRO_SCHEMA)
    p = AvroProducer({"bootstrap.servers": broker, "schema.registry.url": url},
                     default_value_schema=schema)
    for i in range(n):
        p.produce(topic=topic, value={"sensor": "a%d" % i, "value": float(i), "unit": "C"})
    assert p.flush(30) == 0


def consume(url, broker, topic, n, kind):
    conf = {"bootstrap.servers": broker, "group.id": "schema-py", "auto.offset.reset": "earliest"}
    if kind == "avro":
        from confluent_kafka.avro import AvroConsumer
        conf["schema.registry.url"] = url
        c = AvroConsumer(conf)
        decode = lambda m: m.value()
    else:
        from confluent_kafka.schema_registry.json_schema import JSONDeserializer
        des = JSONDeserializer(JSON_SCHEMA)
        c = Consumer(conf)
        decode = lambda m: des(m.value(), SerializationContext(topic, MessageField.VALUE))
    c.subscribe([topic])
    got = 0
    for _ in range(200):
        m = c.poll(0.5)
        if m is None:
            if got >= n:
                break
            continue
        if m.error():
            raise RuntimeError(m.error())
        print(json.dumps(decode(m), sort_keys=True))
        got += 1
        if got >= n:
            break
    c.close()
    assert got == n, "got %d of %d" % (got, n)


def main():
    url, broker, cmd = "http://" + sys.argv[1], sys.argv[2], sys.argv[3]
    if cmd == "client":
        return client_calls(url)
    topic, n = sys.argv[4], int(sys.argv[5])
    if cmd == "produce-json":
        produce_json(url, broker, topic, n)
    elif cmd == "produce-avro":
        produce_avro(url, broker, topic, n)
    elif cmd == "consume-json":
        consume(url, broker, topic, n, "json")
    elif cmd == "consume-avro":
        consume(url, broker, topic, n, "avro")


if __name__ == "__main__":
    main()
