#include "common/escapes.h"

#include <fmt/format.h>

namespace kq::tools {
namespace {

constexpr std::string_view kExpected = "expected \\n, \\t, \\r, \\0, \\\\, \\xNN or \\NNN (octal)";

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

Status EscapeError(std::string_view flag, std::string_view what, std::string_view text,
                   size_t pos) {
  return Status::InvalidArgument(
      fmt::format("{}: {} at position {} in '{}': {}", flag, what, pos, text, kExpected));
}

}  // namespace

Result<size_t> AppendEscape(std::string_view flag, std::string_view text, size_t pos,
                            std::string* out) {
  if (pos + 1 >= text.size()) return EscapeError(flag, "lone backslash", text, pos);
  char c = text[pos + 1];
  switch (c) {
    case 'n':
      out->push_back('\n');
      return size_t{2};
    case 't':
      out->push_back('\t');
      return size_t{2};
    case 'r':
      out->push_back('\r');
      return size_t{2};
    case '\\':
      out->push_back('\\');
      return size_t{2};
    case 'x': {
      int hi = pos + 2 < text.size() ? HexValue(text[pos + 2]) : -1;
      int lo = pos + 3 < text.size() ? HexValue(text[pos + 3]) : -1;
      if (hi < 0 || lo < 0) {
        return EscapeError(flag, "'\\x' needs two hex digits", text, pos);
      }
      out->push_back(static_cast<char>(hi * 16 + lo));
      return size_t{4};
    }
    default: {
      // \NNN: up to three octal digits (\0 alone is NUL).
      size_t n = 0;
      int value = 0;
      while (n < 3 && pos + 1 + n < text.size() && text[pos + 1 + n] >= '0' &&
             text[pos + 1 + n] <= '7') {
        value = value * 8 + (text[pos + 1 + n] - '0');
        ++n;
      }
      if (n == 0) return EscapeError(flag, fmt::format("unknown escape '\\{}'", c), text, pos);
      if (value > 0377) {
        return EscapeError(
            flag, fmt::format("octal escape '\\{}' is above \\377", text.substr(pos + 1, n)), text,
            pos);
      }
      out->push_back(static_cast<char>(value));
      return 1 + n;
    }
  }
}

Result<std::string> Unescape(std::string_view flag, std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '\\') {
      out.push_back(text[i++]);
      continue;
    }
    KQ_ASSIGN_OR_RETURN(size_t used, AppendEscape(flag, text, i, &out));
    i += used;
  }
  return out;
}

Result<std::string> ParseDelimiter(std::string_view text, std::string_view flag) {
  if (text.empty()) {
    return Status::InvalidArgument(fmt::format("{}: the delimiter must not be empty", flag));
  }
  return Unescape(flag, text);
}

}  // namespace kq::tools
