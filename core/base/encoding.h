// Byte encodings shared by every kq format.
//
// Endianness rule, once for all: fixed-width integers are BIG-endian (Kafka's
// network order, on disk and on the wire). Variable-length integers come in
// two families that must not be confused:
//   - zigzag varint/varlong (records inside a RecordBatch): zigzag, then
//     base-128 little-endian groups, high bit = "more"; at most 5/10 bytes.
//   - unsigned varint (the flexible wire protocol): base-128 without zigzag.
//
// Families (leveldb's coding.h shape):
//   Put*(std::string* dst, v)   append to a buffer
//   Encode*(char* dst, v)       write at dst; REQUIRES: dst has enough space
//   Decode*(const char* p)      read at p;   REQUIRES: p has enough bytes
//   Get*Varint*(p, limit, &v)   parse at p, return the byte after it, or
//                               nullptr when the input ends or is overlong.
//
// Bytes: owned buffers are std::string, views are std::string_view (both are
// plain bytes; nothing here assumes text).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace kq {

inline void EncodeFixed16BE(char* dst, uint16_t v) {
  dst[0] = static_cast<char>(v >> 8);
  dst[1] = static_cast<char>(v);
}
inline void EncodeFixed32BE(char* dst, uint32_t v) {
  dst[0] = static_cast<char>(v >> 24);
  dst[1] = static_cast<char>(v >> 16);
  dst[2] = static_cast<char>(v >> 8);
  dst[3] = static_cast<char>(v);
}
inline void EncodeFixed64BE(char* dst, uint64_t v) {
  EncodeFixed32BE(dst, static_cast<uint32_t>(v >> 32));
  EncodeFixed32BE(dst + 4, static_cast<uint32_t>(v));
}

inline uint16_t DecodeFixed16BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return static_cast<uint16_t>((u[0] << 8) | u[1]);
}
inline uint32_t DecodeFixed32BE(const char* p) {
  const auto* u = reinterpret_cast<const unsigned char*>(p);
  return (uint32_t{u[0]} << 24) | (uint32_t{u[1]} << 16) | (uint32_t{u[2]} << 8) | uint32_t{u[3]};
}
inline uint64_t DecodeFixed64BE(const char* p) {
  return (uint64_t{DecodeFixed32BE(p)} << 32) | DecodeFixed32BE(p + 4);
}

inline void PutFixed8(std::string* dst, uint8_t v) { dst->push_back(static_cast<char>(v)); }
inline void PutFixed16BE(std::string* dst, uint16_t v) {
  char buf[2];
  EncodeFixed16BE(buf, v);
  dst->append(buf, 2);
}
inline void PutFixed32BE(std::string* dst, uint32_t v) {
  char buf[4];
  EncodeFixed32BE(buf, v);
  dst->append(buf, 4);
}
inline void PutFixed64BE(std::string* dst, uint64_t v) {
  char buf[8];
  EncodeFixed64BE(buf, v);
  dst->append(buf, 8);
}

// --- unsigned base-128 varints -------------------------------------------
constexpr int kMaxVarint32Bytes = 5;
constexpr int kMaxVarint64Bytes = 10;

inline void PutUnsignedVarint64(std::string* dst, uint64_t v) {
  char buf[kMaxVarint64Bytes];
  int n = 0;
  while (v >= 0x80) {
    buf[n++] = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  buf[n++] = static_cast<char>(v);
  dst->append(buf, n);
}
inline void PutUnsignedVarint32(std::string* dst, uint32_t v) { PutUnsignedVarint64(dst, v); }

// Parses an unsigned varint of at most `max_bytes` bytes at [p, limit).
inline const char* GetUnsignedVarint64(const char* p, const char* limit, uint64_t* v,
                                       int max_bytes = kMaxVarint64Bytes) {
  uint64_t result = 0;
  for (int i = 0; i < max_bytes && p < limit; ++i) {
    const uint64_t byte = static_cast<unsigned char>(*p++);
    result |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) {
      *v = result;
      return p;
    }
  }
  return nullptr;  // truncated, or longer than max_bytes
}
inline const char* GetUnsignedVarint32(const char* p, const char* limit, uint32_t* v) {
  uint64_t wide = 0;
  p = GetUnsignedVarint64(p, limit, &wide, kMaxVarint32Bytes);
  if (p == nullptr || wide > UINT32_MAX) return nullptr;
  *v = static_cast<uint32_t>(wide);
  return p;
}

// --- zigzag varints (records inside a RecordBatch) -------------------------
inline uint32_t ZigZagEncode32(int32_t n) {
  return (static_cast<uint32_t>(n) << 1) ^ static_cast<uint32_t>(n >> 31);
}
inline uint64_t ZigZagEncode64(int64_t n) {
  return (static_cast<uint64_t>(n) << 1) ^ static_cast<uint64_t>(n >> 63);
}
inline int32_t ZigZagDecode32(uint32_t n) {
  return static_cast<int32_t>((n >> 1) ^ (~(n & 1) + 1));
}
inline int64_t ZigZagDecode64(uint64_t n) {
  return static_cast<int64_t>((n >> 1) ^ (~(n & 1) + 1));
}

inline void PutVarint32(std::string* dst, int32_t v) {
  PutUnsignedVarint64(dst, ZigZagEncode32(v));
}
inline void PutVarint64(std::string* dst, int64_t v) {
  PutUnsignedVarint64(dst, ZigZagEncode64(v));
}
inline int VarintLength(uint64_t zigzagged) {
  int n = 1;
  while (zigzagged >= 0x80) {
    zigzagged >>= 7;
    ++n;
  }
  return n;
}

inline const char* GetVarint32(const char* p, const char* limit, int32_t* v) {
  uint32_t raw = 0;
  p = GetUnsignedVarint32(p, limit, &raw);
  if (p != nullptr) *v = ZigZagDecode32(raw);
  return p;
}
inline const char* GetVarint64(const char* p, const char* limit, int64_t* v) {
  uint64_t raw = 0;
  p = GetUnsignedVarint64(p, limit, &raw);
  if (p != nullptr) *v = ZigZagDecode64(raw);
  return p;
}

}  // namespace kq
