// Primitives, headers and the limits that protect the decoder: lengths and
// counts larger than the input fail before anything is allocated.
#include <doctest/doctest.h>

#include <string>

#include "base/encoding.h"
#include "core/protocol/alloc_counter.h"
#include "core/protocol/protocol_test_util.h"
#include "protocol/error_codes.h"
#include "protocol/messages/all.h"

namespace kq::protocol {
namespace {

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

TEST_CASE("wire: classic and compact strings, bytes and nulls") {
  WireWriter w;
  w.WriteString("ab", false);
  w.WriteString("ab", true);
  w.WriteNullableString(std::nullopt, false);
  w.WriteNullableString(std::nullopt, true);
  w.WriteBytes("xyz", false);
  w.WriteNullableBytes(std::nullopt, true);
  w.WriteUnsignedVarint(300);
  const std::string b = testing::Flatten(w);
  CHECK(b == Bytes({0, 2, 'a', 'b', 3,   'a', 'b', 0xff, 0xff, 0,
                    0, 0, 0,   3,   'x', 'y', 'z', 0,    0xac, 0x02}));
  WireReader r(b);
  CHECK(r.ReadString(false, "a") == "ab");
  CHECK(r.ReadString(true, "b") == "ab");
  CHECK(!r.ReadNullableString(false, "c").has_value());
  CHECK(!r.ReadNullableString(true, "d").has_value());
  CHECK(r.ReadBytes(false, "e") == "xyz");
  CHECK(!r.ReadNullableBytes(true, "f").has_value());
  CHECK(r.ReadUnsignedVarint("g") == 300);
  CHECK(r.ok());
  CHECK(r.remaining() == 0);
}

TEST_CASE("wire: a null where the field is not nullable is an error naming the field") {
  const std::string in = Bytes({0xff, 0xff});
  WireReader r(in);
  r.ReadString(false, "Topic.name");
  CHECK(!r.ok());
  CHECK(r.status().message() == "Topic.name at byte 2: null in a non-nullable field");
}

TEST_CASE("wire: huge lengths and counts fail at once, without allocating") {
  // Each case is a few bytes claiming about 2^31 elements or bytes. A decoder
  // that allocated first would need gigabytes (and fail under ASan's limit).
  SUBCASE("int32 array count") {
    const std::string in = Bytes({0x7f, 0xff, 0xff, 0xff, 0, 0});
    WireReader r(in);
    const uint64_t before = testing::AllocatedBytes();
    CHECK(r.ReadArrayCount(false, false, 4, "Topics") == 0);
    CHECK(testing::AllocatedBytes() - before < 1024);
    CHECK(r.status().message().find("array count 2147483647") != std::string::npos);
  }
  SUBCASE("compact array count") {
    const std::string in = Bytes({0xff, 0xff, 0xff, 0xff, 0x07, 1, 2});
    WireReader r(in);
    r.ReadArrayCount(true, false, 1, "Topics");
    CHECK(!r.ok());
  }
  SUBCASE("int32 bytes length") {
    const std::string in = Bytes({0x7f, 0xff, 0xff, 0xff, 'a'});
    WireReader r(in);
    r.ReadBytes(false, "Metadata");
    CHECK(r.status().message().find("length 2147483647 exceeds the 1 bytes left") !=
          std::string::npos);
  }
  SUBCASE("records length") {
    const std::string in = Bytes({0x7f, 0xff, 0xff, 0xf0});
    WireReader r(in);
    r.ReadRecords(false, "Records");
    CHECK(!r.ok());
  }
  SUBCASE("negative count other than -1") {
    const std::string in = Bytes({0x80, 0, 0, 0});
    WireReader r(in);
    r.ReadArrayCount(false, true, 1, "Topics");
    CHECK(r.status().message().find("negative array count") != std::string::npos);
  }
  SUBCASE("tagged field count") {
    const std::string in = Bytes({0xff, 0xff, 0xff, 0xff, 0x0f});
    WireReader r(in);
    r.ReadTagCount("tags");
    CHECK(!r.ok());
  }
  SUBCASE("a whole message: Metadata v1 with 2^31-1 topics in 8 bytes") {
    const std::string body = Bytes({0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 0});
    MetadataRequest m;
    const uint64_t before = testing::AllocatedBytes();
    Status s = DecodeBody(body, 0, 1, &m);
    // Only the error message: nothing sized by the forged count.
    CHECK(testing::AllocatedBytes() - before < 1024);
    CHECK(s.IsCorruption());
    CHECK(s.message().find("MetadataRequest.topics at byte 4") != std::string::npos);
  }
  SUBCASE("a whole message: Produce v3 with a 2 GiB records field") {
    ProduceRequest p;
    auto& t = p.topic_data.emplace_back();
    t.name = "t";
    t.partition_data.emplace_back().records.bytes = "abc";
    WireWriter w;
    p.Encode(w, 3);
    std::string b = testing::Flatten(w);
    // The records length is the 4 bytes before the last 3.
    EncodeFixed32BE(&b[b.size() - 7], 0x7ffffff0u);
    ProduceRequest back;
    const uint64_t before = testing::AllocatedBytes();
    CHECK(DecodeBody(b, 0, 3, &back).IsCorruption());
    CHECK(testing::AllocatedBytes() - before < 1024);
  }
}

TEST_CASE("headers: request header versions follow the flexible versions") {
  CHECK(RequestHeaderVersion(18, 2) == 1);
  CHECK(RequestHeaderVersion(18, 3) == 2);
  CHECK(RequestHeaderVersion(18, 7) == 2);  // a future ApiVersions is still read as flexible
  CHECK(RequestHeaderVersion(3, 8) == 1);
  CHECK(RequestHeaderVersion(3, 9) == 2);
  CHECK(RequestHeaderVersion(0, 9) == 2);
  CHECK(RequestHeaderVersion(17, 1) == 1);     // SaslHandshake is never flexible
  CHECK(RequestHeaderVersion(12345, 0) == 1);  // unknown keys: v1
  CHECK(ResponseHeaderVersion(18, 3) == 0);    // ApiVersions: always v0
  CHECK(ResponseHeaderVersion(3, 9) == 1);
  CHECK(ResponseHeaderVersion(3, 8) == 0);
}

TEST_CASE("headers: v2 request header round trip, with unknown tags skipped") {
  RequestHeader h{3, 12, 77, std::string("cli")};
  WireWriter w;
  EncodeRequestHeader(w, h);
  std::string b = testing::Flatten(w);
  CHECK(b == Bytes({0, 3, 0, 12, 0, 0, 0, 77, 0, 3, 'c', 'l', 'i', 0}));
  b.back() = 1;  // one tagged field: tag 5, two bytes
  b += Bytes({5, 2, 'z', 'z', 0xaa});
  RequestHeader got;
  auto off = DecodeRequestHeader(b, &got);
  REQUIRE(off.ok());
  CHECK(*off == b.size() - 1);
  CHECK(got == h);
}

TEST_CASE("headers: a null client id and an unknown API key") {
  const std::string b = Bytes({0x7f, 0x00, 0, 1, 0, 0, 0, 5, 0xff, 0xff, 'B'});
  RequestHeader got;
  auto off = DecodeRequestHeader(b, &got);
  REQUIRE(off.ok());
  CHECK(*off == 10);
  CHECK(got.api_key == 0x7f00);
  CHECK(got.correlation_id == 5);
  CHECK(!got.client_id.has_value());
  CHECK(!IsSupported(got.api_key, got.api_version));
}

TEST_CASE("headers: response header v0 and v1") {
  WireWriter w;
  EncodeResponseHeader(w, 0x01020304, 18, 3);
  CHECK(testing::Flatten(w) == Bytes({1, 2, 3, 4}));
  EncodeResponseHeader(w, 0x01020304, 1, 12);
  CHECK(testing::Flatten(w) == Bytes({1, 2, 3, 4, 0}));
  int32_t corr = 0;
  auto off = DecodeResponseHeader(Bytes({1, 2, 3, 4, 0}), 1, 12, &corr);
  REQUIRE(off.ok());
  CHECK(*off == 5);
  CHECK(corr == 0x01020304);
}

TEST_CASE("ApiVersions: the UNSUPPORTED_VERSION answer is a v0 body a v0-v3 client can read") {
  // What a broker sends for an ApiVersions version it does not know: header
  // v0, then a v0 body with error 35 and ApiVersions' own range.
  ApiVersionsResponse resp;
  resp.error_code = ToWire(ErrorCode::kUnsupportedVersion);
  auto& k = resp.api_keys.emplace_back();
  k.api_key = static_cast<int16_t>(ApiKey::kApiVersions);
  k.min_version = 0;
  k.max_version = ApiVersionsRequest::kMaxVersion;
  WireWriter w;
  EncodeResponseHeader(w, 9, 18, 4);
  resp.Encode(w, 0);
  CHECK(testing::Flatten(w) ==
        Bytes({0, 0, 0, 9, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, ApiVersionsRequest::kMaxVersion}));
  CHECK(ApiVersionsRequest::kMaxVersion == 3);
}

TEST_CASE("api keys: the table covers what librdkafka 2.0.2 and Sarama send") {
  struct Need {
    ApiKey key;
    int16_t max;
  };
  // Section 6.5 of the protocol reference, plus Sarama for Kafka 2.1.
  for (Need n : {Need{ApiKey::kProduce, 7},         Need{ApiKey::kFetch, 11},
                 Need{ApiKey::kListOffsets, 2},     Need{ApiKey::kMetadata, 5},
                 Need{ApiKey::kOffsetCommit, 7},    Need{ApiKey::kOffsetFetch, 7},
                 Need{ApiKey::kFindCoordinator, 2}, Need{ApiKey::kJoinGroup, 5},
                 Need{ApiKey::kHeartbeat, 3},       Need{ApiKey::kLeaveGroup, 3},
                 Need{ApiKey::kSyncGroup, 3},       Need{ApiKey::kDescribeGroups, 4},
                 Need{ApiKey::kListGroups, 4},      Need{ApiKey::kSaslHandshake, 1},
                 Need{ApiKey::kApiVersions, 3},     Need{ApiKey::kCreateTopics, 4},
                 Need{ApiKey::kDeleteTopics, 1},    Need{ApiKey::kInitProducerId, 4},
                 Need{ApiKey::kDescribeConfigs, 1}, Need{ApiKey::kSaslAuthenticate, 0}}) {
    CAPTURE(ApiName(n.key));
    auto range = SupportedRange(static_cast<int16_t>(n.key));
    REQUIRE(range.has_value());
    CHECK(range->min == 0);
    CHECK(range->max >= n.max);
  }
  CHECK(ApiName(ApiKey::kMetadata) == "Metadata");
  CHECK(IsFlexible(ApiKey::kMetadata, 9));
  CHECK(!IsFlexible(ApiKey::kMetadata, 8));
  CHECK(!IsFlexible(ApiKey::kSaslHandshake, 1));
  CHECK(ErrorCodeName(ErrorCode::kUnknownTopicOrPartition) == "UNKNOWN_TOPIC_OR_PARTITION");
  CHECK(ErrorCodeName(int16_t{-1}) == "UNKNOWN_SERVER_ERROR");
  CHECK(ErrorCodeName(int16_t{30000}) == "UNKNOWN_ERROR_CODE");
}

TEST_CASE("writer: file-backed records become their own chunk, the frame size counts them") {
  FetchResponse resp;
  auto& t = resp.responses.emplace_back();
  t.topic = "t";
  auto& p = t.partitions.emplace_back();
  p.records.fd = 42;
  p.records.file_pos = 1000;
  p.records.file_len = 500;
  // A second partition with inline records: the bytes after the file range
  // go to a new owned chunk.
  auto& p2 = t.partitions.emplace_back();
  p2.partition_index = 1;
  p2.records.bytes = "inline";
  WireWriter w;
  EncodeResponseHeader(w, 1, 1, 11);
  resp.Encode(w, 11);
  const uint64_t total = w.size();
  auto chunks = w.TakeFrame();
  REQUIRE(chunks.size() == 3);
  CHECK(chunks[0].fd == -1);
  CHECK(DecodeFixed32BE(chunks[0].bytes.data()) == total);
  CHECK(chunks[1].fd == 42);
  CHECK(chunks[1].pos == 1000);
  CHECK(chunks[1].len == 500);
  CHECK(chunks[2].fd == -1);
  CHECK(chunks[2].bytes.ends_with("inline"));
  uint64_t sum = 0;
  for (const auto& c : chunks) sum += c.size();
  CHECK(sum == total + 4);
  // The length prefix of the records field, just before the file chunk, says 500.
  const std::string& head = chunks[0].bytes;
  CHECK(DecodeFixed32BE(head.data() + head.size() - 4) == 500);
  CHECK(w.size() == 0);
}

}  // namespace
}  // namespace kq::protocol

namespace kq::protocol {
namespace {

// Responses spelled out byte by byte from the protocol reference (section 6
// of kafka-format-and-protocol.md), independently of the generator.
TEST_CASE("responses: ApiVersions v3 as librdkafka parses it") {
  ApiVersionsResponse resp;
  resp.api_keys.push_back({.api_key = 0, .min_version = 0, .max_version = 7});
  resp.api_keys.push_back({.api_key = 18, .min_version = 0, .max_version = 3});
  WireWriter w;
  EncodeResponseHeader(w, 1, 18, 3);
  resp.Encode(w, 3);
  CHECK(testing::Flatten(w) == Bytes({0, 0,  0, 1,           // header v0: no tag byte
                                      0, 0,                  // error_code
                                      3,                     // compact count 2
                                      0, 0,  0, 0, 0, 7, 0,  // Produce 0-7, no tags
                                      0, 18, 0, 0, 0, 3, 0,  // ApiVersions 0-3, no tags
                                      0, 0,  0, 0,           // throttle_time_ms
                                      0}));                  // no tagged fields
}

TEST_CASE("responses: Produce v7 puts throttle_time_ms last") {
  ProduceResponse resp;
  auto& t = resp.responses.emplace_back();
  t.name = "t";
  auto& p = t.partition_responses.emplace_back();
  p.base_offset = 5;
  p.log_start_offset = 0;
  resp.throttle_time_ms = 2;
  WireWriter w;
  resp.Encode(w, 7);
  CHECK(testing::Flatten(w) == Bytes({0,    0,    0,    1,    0, 1, 't',     // 1 topic "t"
                                      0,    0,    0,    1,                   // 1 partition
                                      0,    0,    0,    0,                   // index 0
                                      0,    0,                               // error_code
                                      0,    0,    0,    0,    0, 0, 0,   5,  // base_offset 5
                                      0xff, 0xff, 0xff, 0xff,  // log_append_time_ms -1
                                      0xff, 0xff, 0xff, 0xff,  //
                                      0,    0,    0,    0,    0, 0, 0,   0,  // log_start_offset 0
                                      0,    0,    0,    2}));                // throttle_time_ms
}

TEST_CASE("responses: Metadata v9 is compact with a tag byte after every struct") {
  MetadataResponse resp;
  auto& b = resp.brokers.emplace_back();
  b.node_id = 1;
  b.host = "h";
  b.port = 9092;
  resp.cluster_id = "c";
  resp.controller_id = 1;
  auto& t = resp.topics.emplace_back();
  t.name = "t";
  auto& p = t.partitions.emplace_back();
  p.leader_id = 1;
  p.leader_epoch = 0;
  p.replica_nodes = {1};
  p.isr_nodes = {1};
  t.topic_authorized_operations = 0;
  WireWriter w;
  EncodeResponseHeader(w, 7, 3, 9);
  resp.Encode(w, 9);
  CHECK(testing::Flatten(w) ==
        Bytes({0,    0,   0, 7,   0,                            // header v1: correlation id, tags
               0,    0,   0, 0,                                 // throttle_time_ms
               2,                                               // 1 broker
               0,    0,   0, 1,   2, 'h', 0, 0, 0x23, 0x84,     // node 1, "h", 9092
               0,    0,                                         // rack null, broker tags
               2,    'c',                                       // cluster_id "c"
               0,    0,   0, 1,                                 // controller_id
               2,                                               // 1 topic
               0,    0,   2, 't', 0,                            // error, "t", is_internal false
               2,                                               // 1 partition
               0,    0,   0, 0,   0, 0,   0, 0, 0,    1,        // error, index 0, leader 1
               0,    0,   0, 0,                                 // leader_epoch 0
               2,    0,   0, 0,   1, 2,   0, 0, 0,    1,    1,  // replicas [1], isr [1], offline []
               0,                                               // partition tags
               0,    0,   0, 0,                                 // topic_authorized_operations
               0,                                               // topic tags
               0x80, 0,   0, 0,                                 // cluster_authorized_operations
               0}));                                            // body tags
}

}  // namespace
}  // namespace kq::protocol

namespace kq::protocol {
namespace {

TEST_CASE("framing: the size prefix is read once whole and checked against the limit") {
  auto none = PeekFrameSize(Bytes({0, 0, 1}), 100);
  REQUIRE(none.ok());
  CHECK(!none->has_value());
  auto some = PeekFrameSize(Bytes({0, 0, 0, 100, 'x'}), 100);
  REQUIRE(some.ok());
  CHECK(**some == 100);
  auto big = PeekFrameSize(Bytes({0x7f, 0xff, 0xff, 0xff}), 100 * 1024 * 1024);
  CHECK(big.status().IsInvalidArgument());
  CHECK(big.status().message() ==
        "frame size 2147483647 is outside 0..104857600 (socket.request.max.bytes)");
  CHECK(!PeekFrameSize(Bytes({0x80, 0, 0, 0}), 100).ok());
  CHECK(!PeekFrameSize(Bytes({0, 0, 0, 101}), 100).ok());
}

}  // namespace
}  // namespace kq::protocol
