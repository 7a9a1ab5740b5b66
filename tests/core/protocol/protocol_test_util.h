// Helpers shared by the protocol tests and the fuzz target: the golden
// request frames, and decoding/encoding a message chosen at run time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "protocol/header.h"
#include "protocol/messages/all.h"
#include "support/golden.h"

namespace kq::protocol::testing {

struct GoldenFrame {
  std::string name;  // "Produce v7"
  int16_t api_key = 0;
  int16_t version = 0;
  std::string frame;  // with the int32 size prefix
};

// Every frame of tests/golden/librdkafka-requests.json, in file order.
inline Result<std::vector<GoldenFrame>> LoadGoldenFrames() {
  KQ_ASSIGN_OR_RETURN(nlohmann::json j, kq::testing::LoadGoldenJson("librdkafka-requests.json"));
  std::vector<GoldenFrame> out;
  for (const auto& item : j) {
    GoldenFrame f;
    f.api_key = item.at("api_key").get<int16_t>();
    f.version = item.at("version").get<int16_t>();
    f.name = item.at("api").get<std::string>() + " v" + std::to_string(f.version);
    KQ_ASSIGN_OR_RETURN(f.frame, kq::testing::HexDecode(item.at("frame_hex").get<std::string>()));
    out.push_back(std::move(f));
  }
  return out;
}

// Decodes the body at `offset` of `payload` as the request (or response)
// of api_key/version, then encodes it again into *reencoded. NotSupported
// for a key or version no codec covers.
inline Status DecodeAndReencode(std::string_view payload, size_t offset, int16_t api_key,
                                int16_t version, bool request, std::string* reencoded) {
  Status result = Status::NotSupported("no codec for this key and version");
  ForEachMessageType([&]<typename T>() {
    if (static_cast<int16_t>(T::kApiKey) != api_key || T::kIsRequest != request) return;
    if (version < T::kMinVersion || version > T::kMaxVersion) return;
    T m;
    result = DecodeBody(payload, offset, version, &m);
    if (result.ok() && reencoded != nullptr) {
      WireWriter w;
      m.Encode(w, version);
      reencoded->clear();
      for (const OutChunk& c : w.TakeChunks()) reencoded->append(c.bytes);
    }
  });
  return result;
}

// Concatenated bytes of a writer (no file chunks expected).
inline std::string Flatten(WireWriter& w) {
  std::string out;
  for (const OutChunk& c : w.TakeChunks()) out.append(c.bytes);
  return out;
}

}  // namespace kq::protocol::testing
