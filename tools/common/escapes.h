// Backslash escapes in delimiter flags (kq-produce -D/-K) and in -f format
// strings, the way kcat spells them:
//
//   \n  newline      \t  tab        \r  carriage return
//   \0  NUL byte     \\  backslash  \xNN  the byte 0xNN (exactly two hex digits)
//   \NNN  the byte with octal value NNN: one to three octal digits, at most
//         \377, as in C and kcat (so \0 is NUL, \012 a newline, \1 is 0x01)
//
// Any other character after a backslash, a trailing lone backslash or a bad
// \x is an error naming the flag, the text and the byte position, so a typo
// such as "\N" is not silently taken literally.
//
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace kq::tools {

// Decodes the escape starting at text[pos] == '\\', appends its byte to *out
// and returns the number of characters consumed (2 to 4). `flag` ("-D", "-f")
// prefixes the error message, e.g.
//   -D: unknown escape '\q' at position 1 in 'a\qb': expected \n, \t, \r, \0, \\, \xNN or \NNN
//   (octal)
Result<size_t> AppendEscape(std::string_view flag, std::string_view text, size_t pos,
                            std::string* out);

// Decodes every escape in `text`; other bytes are kept as they are.
Result<std::string> Unescape(std::string_view flag, std::string_view text);

// A record or key delimiter: Unescape plus "must not be empty".
//   ParseDelimiter("\\n") == "\n", ParseDelimiter("\\0") == std::string(1, '\0'),
//   ParseDelimiter("--\\x1e") == "--\x1e".
Result<std::string> ParseDelimiter(std::string_view text, std::string_view flag = "-D");

}  // namespace kq::tools
