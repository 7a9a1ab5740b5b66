// Confluent's wire format: how a serializer frames a value (or key) written
// with a registered schema, so a reader can find the schema by id.
//
//   byte 0      magic, always 0
//   bytes 1..4  schema id, int32 big-endian (the registry's global id)
//   bytes 5..   the payload: Avro binary, or JSON text for JSON Schema
//
// Pure functions over bytes; thread safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"

namespace kq::schema {

inline constexpr uint8_t kWireMagic = 0;
inline constexpr size_t kWireHeaderSize = 5;

struct WireValue {
  int32_t schema_id = 0;
  std::string_view payload;  // a view into the decoded bytes
};

// Magic 0, the id big-endian, then the payload.
std::string EncodeWire(int32_t schema_id, std::string_view payload);

// InvalidArgument when `bytes` is shorter than 5 bytes ("N bytes, the wire
// format needs at least 5") or byte 0 is not 0 ("magic byte is 0x7b, not 0").
Result<WireValue> DecodeWire(std::string_view bytes);

}  // namespace kq::schema
