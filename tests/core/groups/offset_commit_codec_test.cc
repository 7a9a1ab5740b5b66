// __consumer_offsets keys and values: golden bytes built field by field from
// Kafka's schemas (reference section 8.4), round trips, every older value
// version, truncation and garbage.
#include <doctest/doctest.h>

#include <random>
#include <string>

#include "base/encoding.h"
#include "groups/offset_commit_codec.h"

using namespace kq;
using namespace kq::groups;

namespace {

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// Field builders, each spelled out in big-endian so the golden bytes do not
// depend on the encoder under test.
std::string I16(int v) { return Bytes({(v >> 8) & 0xff, v & 0xff}); }
std::string I32(uint32_t v) {
  return Bytes({int(v >> 24) & 0xff, int(v >> 16) & 0xff, int(v >> 8) & 0xff, int(v) & 0xff});
}
std::string I64(uint64_t v) { return I32(uint32_t(v >> 32)) + I32(uint32_t(v)); }
std::string Str(const std::string& s) { return I16(int(s.size())) + s; }

constexpr int64_t kTs = 1700000000000;  // 0x0000018bcfe56800

}  // namespace

TEST_CASE("offsets codec: offset-commit key v1 has Kafka's exact layout") {
  const std::string golden = Bytes({0x00, 0x01,                // version 1
                                    0x00, 0x02, 'g', '1',      // group "g1"
                                    0x00, 0x01, 't',           // topic "t"
                                    0x00, 0x00, 0x00, 0x03});  // partition 3
  CHECK(EncodeOffsetCommitKey("g1", {"t", 3}) == golden);
  auto key = DecodeOffsetsKey(golden);
  REQUIRE(key.ok());
  CHECK(key->kind == OffsetsKeyKind::kOffsetCommit);
  CHECK(key->version == 1);
  CHECK(key->group == "g1");
  CHECK(key->tp == TopicPartition{"t", 3});
}

TEST_CASE("offsets codec: offset-commit value v3 has Kafka's exact layout") {
  const std::string golden = Bytes({0x00, 0x03,                                      // version 3
                                    0,    0,    0,    0,    0,    0,    0,    0x2a,  // offset 42
                                    0,    0,    0,    5,  // leader epoch 5
                                    0x00, 0x01, 'm',      // metadata "m"
                                    0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00});  // commit ts
  CHECK(EncodeOffsetCommitValue({42, 5, "m", kTs}) == golden);
  auto v = DecodeOffsetCommitValue(golden);
  REQUIRE(v.ok());
  CHECK(v->offset == 42);
  CHECK(v->leader_epoch == 5);
  CHECK(v->metadata == "m");
  CHECK(v->commit_timestamp_ms == kTs);
}

TEST_CASE("offsets codec: group-metadata key v2 is version and group") {
  const std::string golden = I16(2) + Str("orders");
  CHECK(EncodeGroupMetadataKey("orders") == golden);
  auto key = DecodeOffsetsKey(golden);
  REQUIRE(key.ok());
  CHECK(key->kind == OffsetsKeyKind::kGroupMetadata);
  CHECK(key->group == "orders");
}

TEST_CASE("offsets codec: key v0 and newer record types decode tolerantly") {
  auto v0 = DecodeOffsetsKey(I16(0) + Str("g") + Str("topic") + I32(7));
  REQUIRE(v0.ok());
  CHECK(v0->kind == OffsetsKeyKind::kOffsetCommit);
  CHECK(v0->tp == TopicPartition{"topic", 7});
  auto newer = DecodeOffsetsKey(I16(5) + "whatever follows");
  REQUIRE(newer.ok());
  CHECK(newer->kind == OffsetsKeyKind::kOther);
  CHECK(DecodeOffsetsKey(I16(-1)).status().IsCorruption());
}

TEST_CASE("offsets codec: value versions 0, 1, 2 and 4 decode") {
  SUBCASE("v0: offset, metadata, commit timestamp") {
    auto v = DecodeOffsetCommitValue(I16(0) + I64(10) + Str("meta") + I64(kTs));
    REQUIRE(v.ok());
    CHECK(v->offset == 10);
    CHECK(v->leader_epoch == -1);
    CHECK(v->metadata == "meta");
    CHECK(v->commit_timestamp_ms == kTs);
  }
  SUBCASE("v1: plus an expire timestamp") {
    auto v = DecodeOffsetCommitValue(I16(1) + I64(11) + Str("") + I64(kTs) + I64(kTs + 1000));
    REQUIRE(v.ok());
    CHECK(v->offset == 11);
    CHECK(v->commit_timestamp_ms == kTs);
  }
  SUBCASE("v2: like v0") {
    auto v = DecodeOffsetCommitValue(I16(2) + I64(12) + Str("x") + I64(kTs));
    REQUIRE(v.ok());
    CHECK(v->offset == 12);
    CHECK(v->metadata == "x");
  }
  SUBCASE("v4: flexible, compact metadata and tagged fields") {
    const std::string tagged = Bytes({1, 0, 16}) + std::string(16, 'u');  // one tag: a topic id
    auto v =
        DecodeOffsetCommitValue(I16(4) + I64(13) + I32(9) + Bytes({3}) + "ab" + I64(kTs) + tagged);
    REQUIRE(v.ok());
    CHECK(v->offset == 13);
    CHECK(v->leader_epoch == 9);
    CHECK(v->metadata == "ab");
    CHECK(v->commit_timestamp_ms == kTs);
  }
  SUBCASE("unknown versions are NotSupported") {
    CHECK(DecodeOffsetCommitValue(I16(5) + I64(1)).status().code() == Status::Code::kNotSupported);
    CHECK(DecodeOffsetCommitValue(I16(-3)).status().code() == Status::Code::kNotSupported);
  }
}

TEST_CASE("offsets codec: every truncation and trailing garbage is rejected") {
  const std::string key = EncodeOffsetCommitKey("group", {"topic", 1});
  const std::string value = EncodeOffsetCommitValue({1234, 2, "meta", kTs});
  for (size_t n = 0; n < key.size(); ++n) {
    CAPTURE(n);
    CHECK(DecodeOffsetsKey(key.substr(0, n)).status().IsCorruption());
  }
  for (size_t n = 0; n < value.size(); ++n) {
    CAPTURE(n);
    CHECK(DecodeOffsetCommitValue(value.substr(0, n)).status().IsCorruption());
  }
  CHECK(DecodeOffsetsKey(key + "x").status().IsCorruption());
  CHECK(DecodeOffsetCommitValue(value + "x").status().IsCorruption());
  // Lying lengths: a string longer than the bytes, a negative length.
  CHECK(DecodeOffsetsKey(I16(1) + I16(100) + "g").status().IsCorruption());
  CHECK(DecodeOffsetsKey(I16(1) + I16(-1) + Str("t") + I32(0)).status().IsCorruption());
  CHECK(DecodeOffsetsKey(I16(1) + Str("g") + Str("t") + I32(0xffffffff)).status().IsCorruption());
  auto bad = DecodeOffsetCommitValue(I16(3) + I64(1) + I32(0) + I16(30000) + "m");
  CHECK(bad.status().IsCorruption());
  CHECK(bad.status().message().find("metadata") != std::string::npos);
}

TEST_CASE("offsets codec: random keys and values round trip, random bytes never crash") {
  std::mt19937 rng(42);
  auto random_string = [&](size_t max) {
    std::string s(rng() % (max + 1), '\0');
    for (char& c : s) c = static_cast<char>(rng());
    return s;
  };
  for (int i = 0; i < 2000; ++i) {
    const std::string group = random_string(40);
    const TopicPartition tp{random_string(30), static_cast<int32_t>(rng() % 100000)};
    auto key = DecodeOffsetsKey(EncodeOffsetCommitKey(group, tp));
    REQUIRE(key.ok());
    CHECK(key->group == group);
    CHECK(key->tp == tp);
    const CommittedOffset in{static_cast<int64_t>(rng()) << 20,
                             static_cast<int32_t>(rng() % 1000) - 1, random_string(60),
                             static_cast<int64_t>(rng())};
    auto out = DecodeOffsetCommitValue(EncodeOffsetCommitValue(in));
    REQUIRE(out.ok());
    CHECK(out->offset == in.offset);
    CHECK(out->leader_epoch == in.leader_epoch);
    CHECK(out->metadata == in.metadata);
    CHECK(out->commit_timestamp_ms == in.commit_timestamp_ms);
    const std::string garbage = random_string(40);
    (void)DecodeOffsetsKey(garbage);
    (void)DecodeOffsetCommitValue(garbage);
  }
}

TEST_CASE("offsets codec: groups are placed with Java's String.hashCode like Kafka") {
  CHECK(JavaStringHashCode("") == 0);
  CHECK(JavaStringHashCode("hello") == 99162322);
  CHECK(JavaStringHashCode("my-group") == -1906497762);
  CHECK(JavaStringHashCode("\xc3\xa9") == 233);              // é: one UTF-16 unit
  CHECK(JavaStringHashCode("\xf0\x9f\x98\x80") == 1772899);  // U+1F600: a surrogate pair
  CHECK(JavaStringHashCode("polygenelubricants") == INT32_MIN);
  CHECK(PartitionForGroup("polygenelubricants", 50) == 0);  // Utils.abs(MIN) = 0
  CHECK(PartitionForGroup("hello", 50) == 22);
  CHECK(PartitionForGroup("my-group", 50) == 12);
  CHECK(PartitionForGroup("console-consumer-1234", 50) == 9);
  CHECK(PartitionForGroup("anything", 1) == 0);
}

TEST_CASE("offsets codec: group names are validated with a message naming the problem") {
  CHECK(ValidateGroupName("orders-app.v2 blue").ok());
  CHECK(ValidateGroupName("gr\xc3\xbcppe").ok());
  CHECK(ValidateGroupName("").message().find("empty") != std::string::npos);
  CHECK(ValidateGroupName("a/b").message().find("'/'") != std::string::npos);
  CHECK(ValidateGroupName("..").IsInvalidArgument());
  CHECK(ValidateGroupName("tab\there").message().find("control character") != std::string::npos);
  CHECK(ValidateGroupName("bad\xff").message().find("UTF-8") != std::string::npos);
  CHECK(ValidateGroupName(std::string(250, 'g')).message().find("250") != std::string::npos);
}
