// ByteReader: a bounds-checked cursor over a byte view for decoders of
// untrusted input (files, network).
//
// Every read checks the remaining length first. The first failure is sticky:
// later reads return zero values and do nothing, so a decoder can read a whole
// structure and check ok() once. error() names the field and the byte
// position where decoding stopped, relative to the start of the view plus
// `base_position` (so messages can give a file position).
//
// The reader does not own the bytes; they must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/encoding.h"
#include "base/status.h"

namespace kq {

class ByteReader {
 public:
  explicit ByteReader(std::string_view data, uint64_t base_position = 0)
      : data_(data), base_position_(base_position) {}

  bool ok() const { return error_.empty(); }
  size_t remaining() const { return data_.size() - pos_; }
  size_t position() const { return pos_; }
  // Absolute position: base_position + position().
  uint64_t absolute_position() const { return base_position_ + pos_; }
  std::string_view rest() const { return data_.substr(pos_); }

  // Corruption("<what> at byte <pos>: <why>") for the first failure, else OK.
  Status status() const { return ok() ? Status::Ok() : Status::Corruption(error_); }
  const std::string& error() const { return error_; }

  // Marks the reader failed (first failure wins).
  void Fail(std::string_view field, std::string_view why) {
    if (ok()) error_ = fmt::format("{} at byte {}: {}", field, base_position_ + pos_, why);
  }

  uint8_t ReadU8(std::string_view field) {
    if (!Need(1, field)) return 0;
    return static_cast<uint8_t>(data_[pos_++]);
  }
  int8_t ReadI8(std::string_view field) { return static_cast<int8_t>(ReadU8(field)); }
  uint16_t ReadU16(std::string_view field) {
    if (!Need(2, field)) return 0;
    uint16_t v = DecodeFixed16BE(data_.data() + pos_);
    pos_ += 2;
    return v;
  }
  int16_t ReadI16(std::string_view field) { return static_cast<int16_t>(ReadU16(field)); }
  uint32_t ReadU32(std::string_view field) {
    if (!Need(4, field)) return 0;
    uint32_t v = DecodeFixed32BE(data_.data() + pos_);
    pos_ += 4;
    return v;
  }
  int32_t ReadI32(std::string_view field) { return static_cast<int32_t>(ReadU32(field)); }
  uint64_t ReadU64(std::string_view field) {
    if (!Need(8, field)) return 0;
    uint64_t v = DecodeFixed64BE(data_.data() + pos_);
    pos_ += 8;
    return v;
  }
  int64_t ReadI64(std::string_view field) { return static_cast<int64_t>(ReadU64(field)); }

  int32_t ReadVarint32(std::string_view field) {
    int32_t v = 0;
    if (ok()) Advance(GetVarint32(Cur(), End(), &v), field, "bad or truncated varint");
    return ok() ? v : 0;
  }
  int64_t ReadVarint64(std::string_view field) {
    int64_t v = 0;
    if (ok()) Advance(GetVarint64(Cur(), End(), &v), field, "bad or truncated varlong");
    return ok() ? v : 0;
  }
  uint32_t ReadUnsignedVarint32(std::string_view field) {
    uint32_t v = 0;
    if (ok()) Advance(GetUnsignedVarint32(Cur(), End(), &v), field, "bad or truncated varint");
    return ok() ? v : 0;
  }

  // The next n bytes as a view into the input.
  std::string_view ReadBytes(size_t n, std::string_view field) {
    if (!Need(n, field)) return {};
    std::string_view v = data_.substr(pos_, n);
    pos_ += n;
    return v;
  }
  void Skip(size_t n, std::string_view field) { ReadBytes(n, field); }

 private:
  bool Need(size_t n, std::string_view field) {
    if (!ok()) return false;
    if (remaining() < n) {
      Fail(field, fmt::format("needs {} bytes, {} left", n, remaining()));
      return false;
    }
    return true;
  }
  const char* Cur() const { return data_.data() + pos_; }
  const char* End() const { return data_.data() + data_.size(); }
  void Advance(const char* next, std::string_view field, std::string_view why) {
    if (next == nullptr) {
      Fail(field, why);
    } else {
      pos_ = static_cast<size_t>(next - data_.data());
    }
  }

  std::string_view data_;
  uint64_t base_position_;
  size_t pos_ = 0;
  std::string error_;
};

}  // namespace kq
