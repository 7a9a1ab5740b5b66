// ConsumerProtocol Assignment bytes: golden bytes built field by field from
// Kafka's schema (reference section 8.3), round trips, every version,
// truncation at every byte, forged counts and trailing bytes.
#include <doctest/doctest.h>

#include <initializer_list>
#include <string>

#include "groups/consumer_protocol.h"

using namespace kq;
using namespace kq::groups;

namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// Version 1; orders: [0, 2], logs: [5]; null user data.
const std::string kGolden = Bytes({
    0x00, 0x01,                                  // version 1
    0x00, 0x00, 0x00, 0x02,                      // 2 topics
    0x00, 0x06, 'o',  'r',  'd', 'e', 'r', 's',  // "orders"
    0x00, 0x00, 0x00, 0x02,                      // 2 partitions
    0x00, 0x00, 0x00, 0x00,                      // 0
    0x00, 0x00, 0x00, 0x02,                      // 2
    0x00, 0x04, 'l',  'o',  'g', 's',            // "logs"
    0x00, 0x00, 0x00, 0x01,                      // 1 partition
    0x00, 0x00, 0x00, 0x05,                      // 5
    0xff, 0xff, 0xff, 0xff,                      // user data: null
});

ConsumerAssignment GoldenValue() {
  ConsumerAssignment a;
  a.version = 1;
  a.topics = {{"orders", {0, 2}}, {"logs", {5}}};
  return a;
}

}  // namespace

TEST_CASE("consumer protocol: golden bytes decode and encode field by field") {
  auto a = DecodeAssignment(kGolden);
  REQUIRE(a.ok());
  CHECK(*a == GoldenValue());
  std::vector<TopicPartition> expected = {{"orders", 0}, {"orders", 2}, {"logs", 5}};
  CHECK(a->Partitions() == expected);
  std::string encoded;
  EncodeAssignment(GoldenValue(), &encoded);
  CHECK(encoded == kGolden);
}

TEST_CASE("consumer protocol: every version round trips, with null, empty and binary user data") {
  for (int16_t version = 0; version <= kConsumerProtocolMaxVersion; ++version) {
    for (std::optional<std::string> user :
         {std::optional<std::string>(), std::optional<std::string>(""),
          std::optional<std::string>(Bytes({0, 0xff, 7}))}) {
      ConsumerAssignment a;
      a.version = version;
      a.topics = {{"t", {}}, {"", {-1, 2147483647}}};
      a.user_data = user;
      std::string bytes;
      EncodeAssignment(a, &bytes);
      auto back = DecodeAssignment(bytes);
      REQUIRE(back.ok());
      CHECK(*back == a);
    }
  }
  ConsumerAssignment empty;
  std::string bytes;
  EncodeAssignment(empty, &bytes);
  CHECK(bytes == Bytes({0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff}));
}

TEST_CASE("consumer protocol: a clipped assignment is Corruption at every cut") {
  for (size_t cut = 0; cut < kGolden.size(); ++cut) {
    auto a = DecodeAssignment(std::string_view(kGolden).substr(0, cut));
    INFO("cut at " << cut);
    REQUIRE(!a.ok());
    CHECK(a.status().IsCorruption());
    CHECK(a.status().message().find("assignment: ") == 0);
  }
  auto a = DecodeAssignment(std::string_view(kGolden).substr(0, 20));
  CHECK(a.status().message() ==
        "assignment: partition count at byte 18: 2 does not fit in the 2 bytes left");
}

TEST_CASE("consumer protocol: negative versions are refused, newer ones read as version 3") {
  std::string bytes = kGolden;
  bytes[0] = static_cast<char>(0xff);  // version -255
  auto a = DecodeAssignment(bytes);
  REQUIRE(!a.ok());
  CHECK(a.status().IsCorruption());
  CHECK(a.status().message().find("version -255") != std::string::npos);

  // Version 4, with a field this code does not know after the user data.
  bytes = kGolden;
  bytes[1] = 4;
  bytes += Bytes({0, 0, 0, 9});
  a = DecodeAssignment(bytes);
  REQUIRE(a.ok());
  CHECK(a->version == 4);
  CHECK(a->Partitions().size() == 3);
  // The same bytes at a known version: the extra field is damage.
  bytes[1] = 3;
  a = DecodeAssignment(bytes);
  REQUIRE(!a.ok());
  CHECK(a.status().message() == "assignment: end at byte 44: 4 bytes after the user data");
}

TEST_CASE("consumer protocol: forged counts and lengths fail at once with their position") {
  SUBCASE("topic count larger than the bytes") {
    std::string bytes = kGolden;
    bytes[2] = 0x7f;
    auto a = DecodeAssignment(bytes);
    REQUIRE(!a.ok());
    CHECK(a.status().message().find("topic count at byte 6") != std::string::npos);
  }
  SUBCASE("negative partition count") {
    std::string bytes = kGolden;
    bytes[14] = static_cast<char>(0xff);
    auto a = DecodeAssignment(bytes);
    REQUIRE(!a.ok());
    CHECK(a.status().message().find("partition count at byte 18") != std::string::npos);
    CHECK(a.status().message().find("negative") != std::string::npos);
  }
  SUBCASE("negative topic length") {
    std::string bytes = kGolden;
    bytes[6] = static_cast<char>(0x80);
    auto a = DecodeAssignment(bytes);
    REQUIRE(!a.ok());
    CHECK(a.status().message().find("topic length at byte 8") != std::string::npos);
  }
  SUBCASE("user data length below -1") {
    std::string bytes = kGolden;
    bytes[bytes.size() - 1] = static_cast<char>(0xfe);
    auto a = DecodeAssignment(bytes);
    REQUIRE(!a.ok());
    CHECK(a.status().message().find("user data length") != std::string::npos);
  }
  SUBCASE("user data longer than the bytes") {
    std::string bytes = kGolden;
    bytes.replace(bytes.size() - 4, 4, Bytes({0, 0, 0, 3}));
    bytes += "ab";
    auto a = DecodeAssignment(bytes);
    REQUIRE(!a.ok());
    CHECK(a.status().message().find("user data at byte 44") != std::string::npos);
  }
}
