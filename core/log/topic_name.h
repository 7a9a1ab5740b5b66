// Topic names: Kafka's rule, checked before a name ever becomes a path.
//
//   legal: 1..249 characters from [a-zA-Z0-9._-], and not "." or ".."
//
// 249 leaves room for "-<partition>" and Kafka's ".<uuid>-delete" renames
// inside a 255-byte file name.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/status.h"

namespace kq::log {

inline constexpr size_t kMaxTopicNameLength = 249;

// OK, or InvalidArgument naming the problem, e.g.
//   "topic name '../x' contains '/': only letters, digits, '.', '_' and '-' are allowed"
//   "topic name is empty"
//   "topic name 'aaaa...' is 250 characters long; the maximum is 249"
Status ValidateTopicName(std::string_view name);

// `text` made safe to put inside quotes in an error message: printable ASCII
// stays, a quote or backslash is backslash-escaped, every other byte becomes
// \xNN. Longer than `max_chars` input characters are cut and end with "...".
std::string EscapeForMessage(std::string_view text, size_t max_chars = 64);

}  // namespace kq::log
