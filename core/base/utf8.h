// UTF-8 validation: a byte string that is valid UTF-8 is JSON or SQL text,
// anything else base64 in JSON (json_envelope) or a BLOB in SQL (kq-sql).
//
// Pure function, no allocation, thread-safe.
#pragma once

#include <string_view>

namespace kq {

// True when `bytes` is well-formed UTF-8 as RFC 3629 defines it: no overlong
// encodings, no UTF-16 surrogates (U+D800..U+DFFF), nothing above U+10FFFF,
// no truncated sequences. The empty string is valid. NUL bytes are valid.
bool IsValidUtf8(std::string_view bytes);

}  // namespace kq
