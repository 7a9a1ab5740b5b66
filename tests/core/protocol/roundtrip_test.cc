// Every message at every supported version: a sample with non-default values
// in every field the version carries (tagged fields included) survives
// Encode then Decode unchanged, re-encodes to the same bytes, and every
// strict prefix of its encoding fails to decode.
#include <doctest/doctest.h>

#include <string>

#include "core/protocol/generated_samples.h"
#include "core/protocol/protocol_test_util.h"

namespace kq::protocol {
namespace {

template <typename T>
std::string EncodeToString(const T& m, int16_t version) {
  WireWriter w;
  m.Encode(w, version);
  return testing::Flatten(w);
}

template <typename T>
void CheckRoundTrip(int16_t version, bool nulls, size_t* messages_checked) {
  const T sample = testing::MakeSample<T>(version, nulls);
  const std::string bytes = EncodeToString(sample, version);

  T decoded;
  Status s = DecodeBody(bytes, 0, version, &decoded);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(decoded == sample);
  CHECK(EncodeToString(decoded, version) == bytes);

  if (!nulls) {
    // The sample really is not the default message: every version of every
    // message has at least one field or a tag section that differs.
    const std::string defaults = EncodeToString(T{}, version);
    if (bytes == defaults) {
      // Only a message whose version carries no fields at all may match.
      CHECK(defaults.size() <= 1);
    }
  }

  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    const std::string part = bytes.substr(0, cut);
    T partial;
    Status ps = DecodeBody(part, 0, version, &partial);
    if (ps.ok()) {
      FAIL_CHECK("a prefix of " << bytes.size() << " bytes decoded: cut at " << cut);
      break;
    }
  }
  ++*messages_checked;
}

TEST_CASE("every message round-trips at every supported version") {
  size_t checked = 0;
  ForEachMessageType([&]<typename T>() {
    for (int v = T::kMinVersion; v <= T::kMaxVersion; ++v) {
      for (bool nulls : {false, true}) {
        CAPTURE(ApiName(T::kApiKey));
        CAPTURE(T::kIsRequest);
        CAPTURE(v);
        CAPTURE(nulls);
        CheckRoundTrip<T>(static_cast<int16_t>(v), nulls, &checked);
      }
    }
  });
  CHECK(checked > 400);
}

TEST_CASE("a version outside the supported range is NotSupported") {
  ForEachMessageType([&]<typename T>() {
    T m;
    WireReader r("");
    CHECK(m.Decode(r, static_cast<int16_t>(T::kMaxVersion + 1)).code() ==
          Status::Code::kNotSupported);
    WireReader r2("");
    CHECK(m.Decode(r2, -1).code() == Status::Code::kNotSupported);
  });
}

TEST_CASE("tagged fields: written only when set, read back, unknown ones skipped") {
  // ProduceResponse v10: PartitionProduceResponse.CurrentLeader is tag 0.
  ProduceResponse resp;
  auto& topic = resp.responses.emplace_back();
  topic.name = "t";
  auto& part = topic.partition_responses.emplace_back();
  part.index = 3;
  const std::string plain = EncodeToString(resp, 10);
  part.current_leader.leader_id = 7;
  part.current_leader.leader_epoch = 9;
  const std::string tagged = EncodeToString(resp, 10);
  CHECK(tagged.size() > plain.size());
  ProduceResponse back;
  REQUIRE(DecodeBody(tagged, 0, 10, &back).ok());
  CHECK(back.responses[0].partition_responses[0].current_leader.leader_id == 7);
  CHECK(back.responses[0].partition_responses[0].current_leader.leader_epoch == 9);
  // Version 9 has no such tag: the leader is not written there.
  ProduceResponse without = resp;
  without.responses[0].partition_responses[0].current_leader = {};
  CHECK(EncodeToString(resp, 9) == EncodeToString(without, 9));

  // An unknown tag (99, three bytes) in the top-level section is skipped.
  ApiVersionsRequest req;
  req.client_software_name = "c";
  req.client_software_version = "1";
  std::string bytes = EncodeToString(req, 3);
  REQUIRE(bytes.back() == '\0');
  bytes.pop_back();
  bytes += std::string("\x01\x63\x03xyz", 6);
  ApiVersionsRequest got;
  Status s = DecodeBody(bytes, 0, 3, &got);
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  CHECK(got == req);
}

}  // namespace
}  // namespace kq::protocol

namespace kq::protocol {
namespace {

TEST_CASE("decoding into a used object resets the fields the version does not carry") {
  MetadataResponse m = testing::MakeSample<MetadataResponse>(12, false);
  REQUIRE(m.throttle_time_ms != 0);
  MetadataResponse v0;
  v0.brokers.emplace_back().host = "h";
  WireWriter w;
  v0.Encode(w, 0);
  const std::string bytes = testing::Flatten(w);
  REQUIRE(DecodeBody(bytes, 0, 0, &m).ok());
  CHECK(m == v0);  // throttle_time_ms, cluster_id, controller_id... back to defaults
}

}  // namespace
}  // namespace kq::protocol
