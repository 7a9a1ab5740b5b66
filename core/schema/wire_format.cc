#include "schema/wire_format.h"

#include <fmt/format.h>

namespace kq::schema {

std::string EncodeWire(int32_t schema_id, std::string_view payload) {
  std::string out;
  out.reserve(kWireHeaderSize + payload.size());
  const auto id = static_cast<uint32_t>(schema_id);
  out.push_back(static_cast<char>(kWireMagic));
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((id >> shift) & 0xff));
  out.append(payload);
  return out;
}

Result<WireValue> DecodeWire(std::string_view bytes) {
  if (bytes.size() < kWireHeaderSize) {
    return Status::InvalidArgument(fmt::format(
        "not in the schema wire format: {} bytes, the wire format needs at least {} (magic byte 0 "
        "and a 4-byte schema id)",
        bytes.size(), kWireHeaderSize));
  }
  const auto magic = static_cast<uint8_t>(bytes[0]);
  if (magic != kWireMagic) {
    return Status::InvalidArgument(
        fmt::format("not in the schema wire format: magic byte is 0x{:02x}, not 0x00", magic));
  }
  uint32_t id = 0;
  for (size_t i = 1; i < kWireHeaderSize; ++i) id = (id << 8) | static_cast<uint8_t>(bytes[i]);
  return WireValue{static_cast<int32_t>(id), bytes.substr(kWireHeaderSize)};
}

}  // namespace kq::schema
