// Base64 (RFC 4648 section 4: standard alphabet, '=' padding), for bytes
// that are not valid UTF-8 in JSON: the tools' envelope, kq-sql's headers.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace kq {

// Appends the base64 encoding of `bytes` to *out (padded to a multiple of 4).
void AppendBase64(std::string_view bytes, std::string* out);
std::string Base64Encode(std::string_view bytes);

// Decodes padded standard base64. Rejects (InvalidArgument, naming the byte
// position) characters outside the alphabet, whitespace, a length that is not
// a multiple of 4, misplaced padding, and non-zero bits in the unused low bits
// of the last character, so every accepted text is the canonical encoding of
// exactly one byte string.
Result<std::string> Base64Decode(std::string_view text);

}  // namespace kq
