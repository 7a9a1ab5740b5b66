#include "protocol/header.h"

#include "base/encoding.h"

namespace kq::protocol {

namespace {
constexpr int16_t kApiVersionsKey = static_cast<int16_t>(ApiKey::kApiVersions);

bool Flexible(int16_t api_key, int16_t api_version) {
  return IsFlexible(static_cast<ApiKey>(api_key), api_version);
}

void SkipTaggedFields(WireReader& r, std::string_view what) {
  const uint32_t n = r.ReadTagCount(what);
  for (uint32_t i = 0; i < n && r.ok(); ++i) {
    r.ReadUnsignedVarint(what);
    const uint32_t size = r.ReadUnsignedVarint(what);
    r.ReadRaw(size, what);
  }
}
}  // namespace

Result<std::optional<uint32_t>> PeekFrameSize(std::string_view buffered, uint32_t max_size) {
  if (buffered.size() < 4) return std::optional<uint32_t>();
  const int32_t size = static_cast<int32_t>(DecodeFixed32BE(buffered.data()));
  if (size < 0 || static_cast<uint32_t>(size) > max_size) {
    return Status::InvalidArgument(
        fmt::format("frame size {} is outside 0..{} (socket.request.max.bytes)", size, max_size));
  }
  return std::optional<uint32_t>(static_cast<uint32_t>(size));
}

int RequestHeaderVersion(int16_t api_key, int16_t api_version) {
  return Flexible(api_key, api_version) ? 2 : 1;
}

int ResponseHeaderVersion(int16_t api_key, int16_t api_version) {
  if (api_key == kApiVersionsKey) return 0;
  return Flexible(api_key, api_version) ? 1 : 0;
}

Result<size_t> DecodeRequestHeader(std::string_view frame, RequestHeader* out) {
  WireReader r(frame);
  out->api_key = r.ReadInt16("request header api_key");
  out->api_version = r.ReadInt16("request header api_version");
  out->correlation_id = r.ReadInt32("request header correlation_id");
  out->client_id = r.ReadNullableString(false, "request header client_id");
  if (r.ok() && RequestHeaderVersion(out->api_key, out->api_version) >= 2) {
    SkipTaggedFields(r, "request header tagged fields");
  }
  if (!r.ok()) return r.status();
  return r.position();
}

void EncodeRequestHeader(WireWriter& w, const RequestHeader& h) {
  w.WriteInt16(h.api_key);
  w.WriteInt16(h.api_version);
  w.WriteInt32(h.correlation_id);
  w.WriteNullableString(h.client_id, false);
  if (RequestHeaderVersion(h.api_key, h.api_version) >= 2) w.WriteUnsignedVarint(0);
}

void EncodeResponseHeader(WireWriter& w, int32_t correlation_id, int16_t api_key,
                          int16_t api_version) {
  w.WriteInt32(correlation_id);
  if (ResponseHeaderVersion(api_key, api_version) >= 1) w.WriteUnsignedVarint(0);
}

Result<size_t> DecodeResponseHeader(std::string_view frame, int16_t api_key, int16_t api_version,
                                    int32_t* correlation_id) {
  WireReader r(frame);
  *correlation_id = r.ReadInt32("response header correlation_id");
  if (r.ok() && ResponseHeaderVersion(api_key, api_version) >= 1) {
    SkipTaggedFields(r, "response header tagged fields");
  }
  if (!r.ok()) return r.status();
  return r.position();
}

}  // namespace kq::protocol
