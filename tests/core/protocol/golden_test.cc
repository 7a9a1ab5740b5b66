// librdkafka's own request frames: decoded, re-encoded byte for byte, and
// cut short at every byte.
#include <doctest/doctest.h>

#include <string>

#include "base/encoding.h"
#include "core/protocol/protocol_test_util.h"

namespace kq::protocol {
namespace {

using testing::GoldenFrame;

std::vector<GoldenFrame> Frames() {
  auto frames = testing::LoadGoldenFrames();
  REQUIRE_MESSAGE(frames.ok(), frames.status().ToString());
  REQUIRE(frames->size() >= 12);
  return *frames;
}

TEST_CASE("golden requests: every frame decodes and re-encodes byte for byte") {
  for (const GoldenFrame& g : Frames()) {
    CAPTURE(g.name);
    REQUIRE(g.frame.size() >= 4);
    CHECK(DecodeFixed32BE(g.frame.data()) == g.frame.size() - 4);
    const std::string_view payload = std::string_view(g.frame).substr(4);
    RequestHeader h;
    auto body = DecodeRequestHeader(payload, &h);
    REQUIRE_MESSAGE(body.ok(), body.status().ToString());
    CHECK(h.api_key == g.api_key);
    CHECK(h.api_version == g.version);
    CHECK(h.client_id == std::optional<std::string>("rdkafka"));

    std::string body_bytes;
    Status s = testing::DecodeAndReencode(payload, *body, g.api_key, g.version, true, &body_bytes);
    REQUIRE_MESSAGE(s.ok(), s.ToString());

    WireWriter w;
    EncodeRequestHeader(w, h);
    w.WriteRaw(body_bytes);
    std::string again;
    for (const OutChunk& c : w.TakeFrame()) again.append(c.bytes);
    CHECK(kq::testing::HexEncode(again) == kq::testing::HexEncode(g.frame));
  }
}

TEST_CASE("golden requests: fields librdkafka sent decode to the values it meant") {
  for (const GoldenFrame& g : Frames()) {
    const std::string_view payload = std::string_view(g.frame).substr(4);
    RequestHeader h;
    auto body = DecodeRequestHeader(payload, &h);
    REQUIRE(body.ok());
    if (g.name == "Produce v7") {
      ProduceRequest p;
      REQUIRE(DecodeBody(payload, *body, g.version, &p).ok());
      CHECK(p.acks == -1);
      CHECK(p.timeout_ms == 30000);
      CHECK(!p.transactional_id.has_value());
      REQUIRE(p.topic_data.size() == 1);
      CHECK(p.topic_data[0].name == "req-topic");
      REQUIRE(p.topic_data[0].partition_data.size() == 1);
      const Records& rec = p.topic_data[0].partition_data[0].records;
      CHECK(!rec.is_null);
      CHECK(rec.bytes.size() == 0x53);
      // Zero copy: the records view points into the frame.
      CHECK(rec.bytes.data() >= payload.data());
      CHECK(rec.bytes.data() + rec.bytes.size() <= payload.data() + payload.size());
    } else if (g.name == "Fetch v11") {
      FetchRequest f;
      REQUIRE(DecodeBody(payload, *body, g.version, &f).ok());
      CHECK(f.replica_id == -1);
      CHECK(f.max_wait_ms == 500);
      CHECK(f.isolation_level == 1);
      CHECK(f.session_epoch == -1);
      REQUIRE(f.topics.size() == 1);
      CHECK(f.topics[0].topic == "req-topic");
      CHECK(f.rack_id == "");
    } else if (g.name == "ApiVersions v3") {
      ApiVersionsRequest a;
      REQUIRE(DecodeBody(payload, *body, g.version, &a).ok());
      CHECK(a.client_software_name == "confluent-kafka-python");
      CHECK(!a.client_software_version.empty());
      CHECK(RequestHeaderVersion(g.api_key, g.version) == 2);
    } else if (g.name == "Metadata v2") {
      MetadataRequest m;
      REQUIRE(DecodeBody(payload, *body, g.version, &m).ok());
      REQUIRE(m.topics.has_value());
      CHECK(m.topics->empty());
    }
  }
}

TEST_CASE("golden requests: a frame cut at any byte is an error, never a crash") {
  for (const GoldenFrame& g : Frames()) {
    CAPTURE(g.name);
    const std::string_view payload = std::string_view(g.frame).substr(4);
    for (size_t cut = 0; cut < payload.size(); ++cut) {
      CAPTURE(cut);
      // A copy of exactly `cut` bytes, so ASan sees any read past the end.
      const std::string part(payload.substr(0, cut));
      RequestHeader h;
      auto body = DecodeRequestHeader(part, &h);
      if (!body.ok()) {
        CHECK(body.status().IsCorruption());
        CHECK(body.status().message().find("at byte") != std::string::npos);
        continue;
      }
      Status s = testing::DecodeAndReencode(part, *body, g.api_key, g.version, true, nullptr);
      CHECK(!s.ok());
      CHECK(s.IsCorruption());
    }
  }
}

TEST_CASE("golden requests: a trailing byte after the body is reported") {
  for (const GoldenFrame& g : Frames()) {
    CAPTURE(g.name);
    std::string payload = g.frame.substr(4) + "x";
    RequestHeader h;
    auto body = DecodeRequestHeader(payload, &h);
    REQUIRE(body.ok());
    Status s = testing::DecodeAndReencode(payload, *body, g.api_key, g.version, true, nullptr);
    CHECK(s.IsCorruption());
    CHECK(s.message().find("trailing") != std::string::npos);
  }
}

}  // namespace
}  // namespace kq::protocol
