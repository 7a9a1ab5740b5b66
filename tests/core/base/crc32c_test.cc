#include "base/crc32c.h"

#include <doctest/doctest.h>

#include <string>

TEST_CASE("crc32c: standard check value") {
  CHECK(kq::crc32c::Value("123456789") == 0xE3069283u);
  CHECK(kq::crc32c::Value("") == 0u);
}

TEST_CASE("crc32c: Extend over pieces equals the whole") {
  const std::string data = "The quick brown fox jumps over the lazy dog";
  for (size_t cut = 0; cut <= data.size(); ++cut) {
    uint32_t crc = kq::crc32c::Value(data.data(), cut);
    crc = kq::crc32c::Extend(crc, data.data() + cut, data.size() - cut);
    CHECK(crc == kq::crc32c::Value(data));
  }
}

TEST_CASE("crc32: zlib check value") {
  CHECK(kq::crc32::Value("123456789") == 0xCBF43926u);
  CHECK(kq::crc32::Value("kafka") == 0x5bbc7517u);
}
