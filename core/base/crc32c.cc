#include "base/crc32c.h"

#include <climits>

#include <isa-l/crc.h>

namespace kq::crc32c {

uint32_t Extend(uint32_t crc, const char* data, size_t n) {
  // ISA-L works on the raw register: seed with the inverted CRC, invert the
  // result, which gives the standard (init ~0, final xor ~0) CRC-32C.
  uint32_t reg = ~crc;
  auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(data));
  while (n > 0) {
    const int chunk = n > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
    reg = crc32_iscsi(p, chunk, reg);
    p += chunk;
    n -= static_cast<size_t>(chunk);
  }
  return ~reg;
}

}  // namespace kq::crc32c

namespace kq::crc32 {

uint32_t Value(std::string_view data) {
  // ISA-L's crc32_gzip_refl is zlib's crc32 (init/final inversion inside).
  auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(data.data()));
  uint32_t crc = 0;
  size_t n = data.size();
  while (n > 0) {
    const int chunk = n > static_cast<size_t>(INT_MAX) ? INT_MAX : static_cast<int>(n);
    crc = crc32_gzip_refl(crc, p, static_cast<uint64_t>(chunk));
    p += chunk;
    n -= static_cast<size_t>(chunk);
  }
  return crc;
}

}  // namespace kq::crc32
