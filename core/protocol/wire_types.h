// Value types shared by the Kafka wire codecs: Uuid, Records (the "records"
// field type) and OutChunk (one piece of an encoded response).
//
// Ownership: Records::bytes is a view. On decode it points into the request
// frame, which must outlive the decoded message (zero copy). On encode it
// points at bytes the caller keeps alive until the chunks are sent, unless
// fd >= 0, in which case the bytes come from that file range instead.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace kq::protocol {

// A Kafka uuid (topic ids): 16 raw bytes; all zero is "no id".
struct Uuid {
  std::array<uint8_t, 16> bytes{};
  bool operator==(const Uuid&) const = default;
};

// The "records" field: a size-prefixed run of record batches, opaque to the
// codec (format/ validates batches). Null is `is_null` (Kafka's size -1),
// kept in the struct rather than std::optional so a handler can fill a file
// range in place.
struct Records {
  std::string_view bytes;  // decode: view into the request frame; encode: inline bytes
  int fd = -1;             // encode only: when >= 0, send file_len bytes at file_pos of fd
  uint64_t file_pos = 0;
  uint32_t file_len = 0;
  bool is_null = false;

  // Size on the wire (without the length prefix).
  uint64_t size() const { return fd >= 0 ? file_len : bytes.size(); }
  bool operator==(const Records& o) const {
    return bytes == o.bytes && fd == o.fd && file_pos == o.file_pos && file_len == o.file_len &&
           is_null == o.is_null;
  }
};

// One piece of encoded output: owned bytes, or (fd >= 0) a file range that
// the sender transmits with sendfile. The codec never reads the file.
struct OutChunk {
  std::string bytes;  // used when fd < 0
  int fd = -1;        // when >= 0: send len bytes at offset pos of fd
  uint64_t pos = 0;
  uint32_t len = 0;

  uint64_t size() const { return fd >= 0 ? len : bytes.size(); }
};

}  // namespace kq::protocol
