#include "base/encoding.h"

#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>

#include "base/byte_reader.h"
#include "base/result.h"
#include "base/strong_types.h"

using namespace kq;

TEST_CASE("encoding: fixed big-endian round trips") {
  std::string buf;
  PutFixed16BE(&buf, 0x0102);
  PutFixed32BE(&buf, 0x01020304);
  PutFixed64BE(&buf, 0x0102030405060708ull);
  CHECK(buf == std::string("\x01\x02\x01\x02\x03\x04\x01\x02\x03\x04\x05\x06\x07\x08", 14));
  CHECK(DecodeFixed16BE(buf.data()) == 0x0102);
  CHECK(DecodeFixed32BE(buf.data() + 2) == 0x01020304u);
  CHECK(DecodeFixed64BE(buf.data() + 6) == 0x0102030405060708ull);
}

TEST_CASE("encoding: zigzag varints match Kafka's examples") {
  std::string buf;
  PutVarint32(&buf, 0);
  PutVarint32(&buf, -1);
  PutVarint32(&buf, 1);
  PutVarint32(&buf, -2);
  PutVarint32(&buf, 300);
  CHECK(buf == std::string("\x00\x01\x02\x03\xd8\x04", 6));
}

TEST_CASE("encoding: varint round trips and truncation at every byte") {
  std::mt19937_64 rng(42);
  const int64_t specials[] = {0,
                              1,
                              -1,
                              63,
                              -64,
                              64,
                              std::numeric_limits<int64_t>::max(),
                              std::numeric_limits<int64_t>::min()};
  std::vector<int64_t> values(std::begin(specials), std::end(specials));
  for (int i = 0; i < 1000; ++i) values.push_back(static_cast<int64_t>(rng()) >> (rng() % 64));
  for (int64_t v : values) {
    std::string buf;
    PutVarint64(&buf, v);
    CHECK(static_cast<int>(buf.size()) == VarintLength(ZigZagEncode64(v)));
    int64_t out = 0;
    const char* end = GetVarint64(buf.data(), buf.data() + buf.size(), &out);
    REQUIRE(end == buf.data() + buf.size());
    CHECK(out == v);
    for (size_t cut = 0; cut < buf.size(); ++cut) {
      CHECK(GetVarint64(buf.data(), buf.data() + cut, &out) == nullptr);
    }
  }
}

TEST_CASE("encoding: overlong varint32 is rejected") {
  const std::string six(6, '\x80');
  int32_t v = 0;
  CHECK(GetVarint32(six.data(), six.data() + six.size(), &v) == nullptr);
}

TEST_CASE("byte_reader: sticky error names the field and position") {
  std::string buf;
  PutFixed32BE(&buf, 7);
  buf.push_back('\x01');
  ByteReader r(buf, 100);
  CHECK(r.ReadI32("count") == 7);
  CHECK(r.ok());
  CHECK(r.ReadI16("version") == 0);
  CHECK_FALSE(r.ok());
  CHECK(r.ReadU8("later") == 0);  // sticky: no further reads
  CHECK(r.status().IsCorruption());
  CHECK(r.error() == "version at byte 104: needs 2 bytes, 1 left");
}

TEST_CASE("status and result: codes, prefixes, values") {
  Status s = Status::NotFound("topic 'x'");
  CHECK(s.IsNotFound());
  CHECK(s.ToString() == "Not found: topic 'x'");
  CHECK(s.WithPrefix("describe").message() == "describe: topic 'x'");
  CHECK(Status::Ok().ToString() == "OK");
  Result<int> r = 5;
  CHECK(r.ok());
  CHECK(*r == 5);
  Result<int> e = Status::Corruption("bad");
  CHECK_FALSE(e.ok());
  CHECK(e.status().IsCorruption());
}

TEST_CASE("strong types: arithmetic stays in unit") {
  Offset a(10);
  Offset b = a + 5;
  CHECK(b.value() == 15);
  CHECK(b - a == 5);
  CHECK(a < b);
}
