// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of
// Kafka's RecordBatch v2. Hardware-accelerated through ISA-L (which picks
// SSE4.2/PCLMUL or AVX-512 at run time and has a portable fallback).
//
// Check value: Value("123456789") == 0xE3069283.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace kq::crc32c {

// CRC-32C of `data`, continuing from `crc` (the result of a previous call over
// the bytes before it; 0 to start).
uint32_t Extend(uint32_t crc, const char* data, size_t n);

inline uint32_t Value(const char* data, size_t n) { return Extend(0, data, n); }
inline uint32_t Value(std::string_view data) { return Extend(0, data.data(), data.size()); }

}  // namespace kq::crc32c

namespace kq::crc32 {

// CRC-32/IEEE (zlib's crc32; reflected polynomial 0xEDB88320), used only by
// librdkafka's "consistent" partitioners. Check value: 0xCBF43926.
uint32_t Value(std::string_view data);

}  // namespace kq::crc32
