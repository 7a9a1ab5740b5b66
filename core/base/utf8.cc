#include "base/utf8.h"

#include <cstdint>
#include <cstring>

namespace kq {
namespace {

// Checks one multi-byte sequence starting at p[0] (a non-ASCII lead byte).
// Returns its length, or 0 when it is malformed. The second-byte ranges follow
// RFC 3629's table: they exclude overlongs (E0, F0), surrogates (ED) and code
// points above U+10FFFF (F4).
size_t SequenceLength(const unsigned char* p, size_t left) {
  auto cont = [](unsigned char c) { return (c & 0xC0) == 0x80; };
  const unsigned char lead = p[0];
  if (lead >= 0xC2 && lead <= 0xDF) {
    return left >= 2 && cont(p[1]) ? 2 : 0;
  }
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (left < 3) return 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (lead == 0xE0) lo = 0xA0;  // below is overlong
    if (lead == 0xED) hi = 0x9F;  // above is a surrogate
    return p[1] >= lo && p[1] <= hi && cont(p[2]) ? 3 : 0;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (left < 4) return 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (lead == 0xF0) lo = 0x90;  // below is overlong
    if (lead == 0xF4) hi = 0x8F;  // above is > U+10FFFF
    return p[1] >= lo && p[1] <= hi && cont(p[2]) && cont(p[3]) ? 4 : 0;
  }
  return 0;  // continuation byte, C0/C1 (always overlong) or F5..FF
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    // Most payloads are ASCII: skip 8 bytes at a time while no high bit is set.
    while (i + 8 <= n) {
      uint64_t word;
      std::memcpy(&word, p + i, 8);
      if (word & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    size_t len = SequenceLength(p + i, n - i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

}  // namespace kq
