// UTF-8 validation for the tools' JSON output (json_envelope): a byte string
// that is valid UTF-8 is printed as a JSON string, anything else as base64.
//
// Pure function, no allocation, thread-safe.
#pragma once

#include <string_view>

namespace kq::tools {

// True when `bytes` is well-formed UTF-8 as RFC 3629 defines it: no overlong
// encodings, no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
// no truncated sequences. The empty string is valid. NUL bytes are valid.
bool IsValidUtf8(std::string_view bytes);

}  // namespace kq::tools
