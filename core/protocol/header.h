// Request and response headers (Kafka's RequestHeader v0-v2 and
// ResponseHeader v0-v1), and the frame size prefix.
//
// A frame on the wire is an int32 size (bytes that follow) and the payload.
// DecodeRequestHeader takes the payload, after the size prefix. The header
// version follows from the API key and version: v2 (with a tagged-field
// section) for flexible versions, else v1; ApiVersions requests use v2 from
// version 3. client_id keeps its int16 length even in v2. A key the codecs do
// not know is parsed as v1 so the caller can still answer or close with the
// correlation id in hand. Responses use header v1 (a tagged-field section
// after the correlation id) for flexible versions, v0 otherwise, except that
// ApiVersions responses always use v0 so that a client can read the error of
// a version the broker does not know.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "base/result.h"
#include "base/status.h"
#include "protocol/api_keys.h"
#include "protocol/wire_reader.h"
#include "protocol/wire_writer.h"

namespace kq::protocol {

struct RequestHeader {
  int16_t api_key = 0;
  int16_t api_version = 0;
  int32_t correlation_id = 0;
  std::optional<std::string> client_id;  // null: the client sent -1

  bool operator==(const RequestHeader&) const = default;
};

// The request header version (1 or 2) for a request of this key and version.
int RequestHeaderVersion(int16_t api_key, int16_t api_version);
// The response header version (0 or 1).
int ResponseHeaderVersion(int16_t api_key, int16_t api_version);

// The size prefix of the frame at the start of `buffered` (bytes received so
// far): the payload size once its 4 bytes have arrived, nullopt before.
// Checked before anything is buffered: a negative size, or one above
// `max_size` (socket.request.max.bytes), is InvalidArgument naming both.
Result<std::optional<uint32_t>> PeekFrameSize(std::string_view buffered, uint32_t max_size);

// Parses the header at the start of `frame` (the payload after the size
// prefix) and returns the offset of the body. Unknown tagged fields of a v2
// header are skipped. Corruption with the byte position on short input.
Result<size_t> DecodeRequestHeader(std::string_view frame, RequestHeader* out);
// Writes a request header of the version the key and version call for.
void EncodeRequestHeader(WireWriter& w, const RequestHeader& h);

// Writes the response header: correlation id, plus an empty tagged-field
// section for header v1.
void EncodeResponseHeader(WireWriter& w, int32_t correlation_id, int16_t api_key,
                          int16_t api_version);
// Parses a response header (for clients and tests); returns the body offset.
Result<size_t> DecodeResponseHeader(std::string_view frame, int16_t api_key, int16_t api_version,
                                    int32_t* correlation_id);

// Decodes a whole body: `frame` from `offset` must hold exactly one message
// of `version`; trailing bytes are an error.
template <typename T>
Status DecodeBody(std::string_view frame, size_t offset, int16_t version, T* out) {
  WireReader r(frame.substr(offset), offset);
  KQ_RETURN_IF_ERROR(out->Decode(r, version));
  if (r.remaining() != 0) {
    return Status::Corruption(fmt::format("{} v{}: {} trailing bytes after the body at byte {}",
                                          ApiName(T::kApiKey), version, r.remaining(),
                                          r.absolute_position()));
  }
  return Status::Ok();
}

}  // namespace kq::protocol
