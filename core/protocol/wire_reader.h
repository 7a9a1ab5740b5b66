// WireReader: the Kafka protocol's primitive decoders over one frame, for
// untrusted input.
//
// Built on base/byte_reader.h: every read checks the remaining length first,
// the first failure is sticky (later reads return empty values and do
// nothing) and status() is Corruption("<field> at byte <pos>: <why>"), the
// position counted from the start of the frame plus `base_position`.
// Lengths and element counts are checked against the remaining bytes BEFORE
// anything is allocated, so a forged 2^31 count fails at once.
//
// `compact` selects the flexible-version encodings (KIP-482): lengths and
// counts are unsigned varints of N+1, 0 meaning null. Otherwise strings
// carry an int16 length, bytes/records an int32 length and arrays an int32
// count, -1 meaning null.
//
// The reader does not own the bytes: string_views it returns (ReadRaw,
// ReadRecords) point into the frame and must not outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/byte_reader.h"
#include "base/status.h"
#include "protocol/wire_types.h"

namespace kq::protocol {

class WireReader {
 public:
  explicit WireReader(std::string_view data, uint64_t base_position = 0)
      : r_(data, base_position) {}

  bool ok() const { return r_.ok(); }
  Status status() const { return r_.status(); }
  size_t remaining() const { return r_.remaining(); }
  size_t position() const { return r_.position(); }
  uint64_t absolute_position() const { return r_.absolute_position(); }
  void Fail(std::string_view field, std::string_view why) { r_.Fail(field, why); }

  int8_t ReadInt8(std::string_view f) { return r_.ReadI8(f); }
  int16_t ReadInt16(std::string_view f) { return r_.ReadI16(f); }
  uint16_t ReadUint16(std::string_view f) { return r_.ReadU16(f); }
  int32_t ReadInt32(std::string_view f) { return r_.ReadI32(f); }
  int64_t ReadInt64(std::string_view f) { return r_.ReadI64(f); }
  // Any non-zero byte is true, as Kafka reads it.
  bool ReadBool(std::string_view f) { return r_.ReadU8(f) != 0; }
  double ReadFloat64(std::string_view f);
  Uuid ReadUuid(std::string_view f);
  uint32_t ReadUnsignedVarint(std::string_view f) { return r_.ReadUnsignedVarint32(f); }
  std::string_view ReadRaw(size_t n, std::string_view f) { return r_.ReadBytes(n, f); }

  // Strings. A null where the version does not allow one is an error.
  std::optional<std::string> ReadNullableString(bool compact, std::string_view f);
  std::string ReadString(bool compact, std::string_view f);
  // Bytes (int32 or compact length), copied out.
  std::optional<std::string> ReadNullableBytes(bool compact, std::string_view f);
  std::string ReadBytes(bool compact, std::string_view f);
  // Records: a view into the frame (zero copy); is_null for a null field.
  Records ReadRecords(bool compact, std::string_view f);

  // An array's element count, -1 for null (only when `nullable`). Fails when
  // count * min_element_size exceeds the bytes left, so a caller may reserve
  // up to the count it gets.
  int32_t ReadArrayCount(bool compact, bool nullable, size_t min_element_size, std::string_view f);

  // The tagged-field section's field count (each field takes at least two
  // bytes, checked like an array count).
  uint32_t ReadTagCount(std::string_view f);

 private:
  // Length of a string/bytes/records field; -1 = null. Checks it fits.
  int64_t ReadLength(bool compact, bool wide, bool nullable, std::string_view f);

  ByteReader r_;
};

}  // namespace kq::protocol
