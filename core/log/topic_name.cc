#include "log/topic_name.h"

#include <fmt/format.h>

namespace kq::log {
namespace {

bool IsLegalTopicChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

void AppendEscaped(char c, std::string* out) {
  auto u = static_cast<unsigned char>(c);
  if (c == '\'' || c == '\\') {
    out->push_back('\\');
    out->push_back(c);
  } else if (u >= 0x20 && u < 0x7f) {
    out->push_back(c);
  } else {
    *out += fmt::format("\\x{:02x}", u);
  }
}

}  // namespace

std::string EscapeForMessage(std::string_view text, size_t max_chars) {
  std::string out;
  size_t n = text.size() > max_chars ? max_chars : text.size();
  for (size_t i = 0; i < n; ++i) AppendEscaped(text[i], &out);
  if (n < text.size()) out += "...";
  return out;
}

Status ValidateTopicName(std::string_view name) {
  if (name.empty()) return Status::InvalidArgument("topic name is empty");
  if (name.size() > kMaxTopicNameLength) {
    return Status::InvalidArgument(
        fmt::format("topic name '{}' is {} characters long; the maximum is {}",
                    EscapeForMessage(name, 32), name.size(), kMaxTopicNameLength));
  }
  if (name == "." || name == "..") {
    return Status::InvalidArgument(
        fmt::format("topic name '{}' is not allowed: '.' and '..' are reserved", name));
  }
  for (char c : name) {
    if (!IsLegalTopicChar(c)) {
      std::string bad;
      AppendEscaped(c, &bad);
      return Status::InvalidArgument(fmt::format(
          "topic name '{}' contains '{}': only letters, digits, '.', '_' and '-' are allowed",
          EscapeForMessage(name), bad));
    }
  }
  return Status::Ok();
}

}  // namespace kq::log
