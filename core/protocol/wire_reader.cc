#include "protocol/wire_reader.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace kq::protocol {

double WireReader::ReadFloat64(std::string_view f) { return std::bit_cast<double>(r_.ReadU64(f)); }

Uuid WireReader::ReadUuid(std::string_view f) {
  Uuid u;
  std::string_view raw = r_.ReadBytes(u.bytes.size(), f);
  if (raw.size() == u.bytes.size()) std::memcpy(u.bytes.data(), raw.data(), raw.size());
  return u;
}

int64_t WireReader::ReadLength(bool compact, bool wide, bool nullable, std::string_view f) {
  int64_t len;
  if (compact) {
    len = static_cast<int64_t>(r_.ReadUnsignedVarint32(f)) - 1;
  } else {
    len = wide ? r_.ReadI32(f) : r_.ReadI16(f);
  }
  if (!ok()) return -1;
  if (len < -1) {
    Fail(f, fmt::format("negative length {}", len));
    return -1;
  }
  if (len == -1) {
    if (!nullable) Fail(f, "null in a non-nullable field");
    return -1;
  }
  if (static_cast<uint64_t>(len) > remaining()) {
    Fail(f, fmt::format("length {} exceeds the {} bytes left", len, remaining()));
    return -1;
  }
  return len;
}

std::optional<std::string> WireReader::ReadNullableString(bool compact, std::string_view f) {
  int64_t len = ReadLength(compact, false, true, f);
  if (len < 0) return std::nullopt;
  return std::string(r_.ReadBytes(static_cast<size_t>(len), f));
}

std::string WireReader::ReadString(bool compact, std::string_view f) {
  int64_t len = ReadLength(compact, false, false, f);
  if (len < 0) return {};
  return std::string(r_.ReadBytes(static_cast<size_t>(len), f));
}

std::optional<std::string> WireReader::ReadNullableBytes(bool compact, std::string_view f) {
  int64_t len = ReadLength(compact, true, true, f);
  if (len < 0) return std::nullopt;
  return std::string(r_.ReadBytes(static_cast<size_t>(len), f));
}

std::string WireReader::ReadBytes(bool compact, std::string_view f) {
  int64_t len = ReadLength(compact, true, false, f);
  if (len < 0) return {};
  return std::string(r_.ReadBytes(static_cast<size_t>(len), f));
}

Records WireReader::ReadRecords(bool compact, std::string_view f) {
  Records rec;
  int64_t len = ReadLength(compact, true, true, f);
  if (len < 0) {
    rec.is_null = ok();
    return rec;
  }
  rec.bytes = r_.ReadBytes(static_cast<size_t>(len), f);
  return rec;
}

int32_t WireReader::ReadArrayCount(bool compact, bool nullable, size_t min_element_size,
                                   std::string_view f) {
  int64_t count;
  if (compact) {
    count = static_cast<int64_t>(r_.ReadUnsignedVarint32(f)) - 1;
  } else {
    count = r_.ReadI32(f);
  }
  if (!ok()) return 0;
  if (count < -1) {
    Fail(f, fmt::format("negative array count {}", count));
    return 0;
  }
  if (count == -1) {
    if (!nullable) {
      Fail(f, "null array in a non-nullable field");
      return 0;
    }
    return -1;
  }
  if (count > INT32_MAX) {
    Fail(f, fmt::format("array count {} too large", count));
    return 0;
  }
  const size_t min = min_element_size == 0 ? 1 : min_element_size;
  if (static_cast<uint64_t>(count) > remaining() / min) {
    Fail(f, fmt::format("array count {} needs at least {} bytes, {} left", count,
                        static_cast<uint64_t>(count) * min, remaining()));
    return 0;
  }
  return static_cast<int32_t>(count);
}

uint32_t WireReader::ReadTagCount(std::string_view f) {
  uint32_t n = r_.ReadUnsignedVarint32(f);
  if (ok() && n > remaining() / 2) {
    Fail(f, fmt::format("tagged field count {} exceeds the {} bytes left", n, remaining()));
    return 0;
  }
  return n;
}

}  // namespace kq::protocol
