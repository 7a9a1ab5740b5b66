#!/usr/bin/python3
"""Avro bytes between kq and an independent implementation (python3-avro).

  schema_avro_python.py SCHEMA_FILE read ID    kq-consume -J lines on stdin: strip the
                                               wire header (checking magic and ID), decode the
                                               payload with python3-avro, print JSON lines
  schema_avro_python.py SCHEMA_FILE write ID   JSON values on stdin: encode with python3-avro,
                                               print kq-produce -J lines (payload_b64)
"""
import base64
import io
import json
import struct
import sys

import avro.io
import avro.schema


def main():
    schema = avro.schema.parse(open(sys.argv[1]).read())
    mode, schema_id = sys.argv[2], int(sys.argv[3])
    for line in sys.stdin:
        if mode == "read":
            rec = json.loads(line)
            raw = (base64.b64decode(rec["payload_b64"]) if "payload_b64" in rec
                   else rec["payload"].encode("utf-8"))
            magic, got_id = struct.unpack(">bI", raw[:5])
            assert magic == 0 and got_id == schema_id, (magic, got_id)
            value = avro.io.DatumReader(schema).read(avro.io.BinaryDecoder(io.BytesIO(raw[5:])))
            for k, v in list(value.items()):
                if isinstance(v, bytes):
                    value[k] = v.decode("latin-1")
            print(json.dumps(value, sort_keys=True))
        else:
            value = json.loads(line)
            for k in ("raw", "digest"):
                value[k] = value[k].encode("latin-1")
            out = io.BytesIO()
            avro.io.DatumWriter(schema).write(value, avro.io.BinaryEncoder(out))
            payload = struct.pack(">bI", 0, schema_id) + out.getvalue()
            print(json.dumps({"payload_b64": base64.b64encode(payload).decode()}))


if __name__ == "__main__":
    main()
