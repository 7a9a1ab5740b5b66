#include "common/offset_spec.h"

#include <charconv>

#include <fmt/format.h>

#include "common/time_spec.h"

namespace kq::tools {
namespace {

using Kind = OffsetSpec::Kind;

constexpr std::string_view kExpected =
    "expected beginning, end, stored, N, -N, s@MS, e@MS or @TIME[:TIME]";

Status NotAnOffset(std::string_view text, std::string_view hint = {}) {
  return Status::InvalidArgument(
      fmt::format("-o: '{}' is not an offset: {}{}", text, kExpected, hint));
}

// Digits only, no sign, fits in int64.
bool ParseCount(std::string_view s, int64_t* v) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *v);
  return ec == std::errc() && ptr == s.data() + s.size();
}

Result<int64_t> ParseMs(std::string_view whole, std::string_view ms) {
  int64_t v;
  if (!ParseCount(ms, &v)) {
    return Status::InvalidArgument(
        fmt::format("-o: '{}': '{}' is not a timestamp in epoch milliseconds", whole, ms));
  }
  return v;
}

Result<int64_t> ParseTimeIn(std::string_view whole, std::string_view time, int64_t now_ms) {
  Result<int64_t> r = ParseTime(time, now_ms);
  if (!r.ok()) return r.status().WithPrefix(fmt::format("-o: '{}'", whole));
  return r;
}

// "@T1", "@T1:", "@T1:T2" (text without the '@'). ISO times contain ':', so
// the whole text is tried as one time first, then each ':' as the separator;
// more than one valid split is reported as ambiguous rather than guessed.
Result<OffsetSpec> ParseTimeRange(std::string_view whole, std::string_view text, int64_t now_ms) {
  OffsetSpec spec;
  spec.kind = Kind::kTimestamp;
  if (ParseTime(text, now_ms).ok() || text.find(':') == std::string_view::npos) {
    KQ_ASSIGN_OR_RETURN(spec.value, ParseTimeIn(whole, text, now_ms));
    return spec;
  }
  if (text.back() == ':') {
    KQ_ASSIGN_OR_RETURN(spec.value, ParseTimeIn(whole, text.substr(0, text.size() - 1), now_ms));
    return spec;
  }
  int splits = 0;
  for (size_t i = text.find(':'); i != std::string_view::npos; i = text.find(':', i + 1)) {
    Result<int64_t> start = ParseTime(text.substr(0, i), now_ms);
    Result<int64_t> end = ParseTime(text.substr(i + 1), now_ms);
    if (start.ok() && end.ok()) {
      ++splits;
      spec.value = *start;
      spec.end_timestamp_ms = *end;
    }
  }
  if (splits == 0) {
    return Status::InvalidArgument(fmt::format(
        "-o: '{}' is not a time range: expected @T1:T2 where each time is ISO-8601 "
        "(2026-11-01T00:00:00Z, 2026-11-01), epoch milliseconds or relative to now (-1h)",
        whole));
  }
  if (splits > 1) {
    return Status::InvalidArgument(fmt::format(
        "-o: '{}' is ambiguous: more than one ':' could separate the two times", whole));
  }
  if (*spec.end_timestamp_ms < spec.value) {
    return Status::InvalidArgument(
        fmt::format("-o: '{}': the end time {} is before the start time {}", whole,
                    FormatIso8601Ms(*spec.end_timestamp_ms), FormatIso8601Ms(spec.value)));
  }
  return spec;
}

// True when `spec` came from a form that sets a start (everything but e@).
struct Parsed {
  OffsetSpec spec;
  bool has_start = true;
};

Result<Parsed> ParseOne(std::string_view text, int64_t now_ms) {
  Parsed p;
  int64_t n;
  if (text == "beginning") {
    p.spec.kind = Kind::kBeginning;
  } else if (text == "end") {
    p.spec.kind = Kind::kEnd;
  } else if (text == "stored") {
    p.spec.kind = Kind::kStored;
  } else if (ParseCount(text, &n)) {
    p.spec = {Kind::kAbsolute, n, std::nullopt};
  } else if (text.starts_with('-') && ParseCount(text.substr(1), &n)) {
    p.spec = {Kind::kFromEnd, n, std::nullopt};
  } else if (text.starts_with("s@")) {
    KQ_ASSIGN_OR_RETURN(n, ParseMs(text, text.substr(2)));
    p.spec = {Kind::kTimestamp, n, std::nullopt};
  } else if (text.starts_with("e@")) {
    KQ_ASSIGN_OR_RETURN(n, ParseMs(text, text.substr(2)));
    p.spec.end_timestamp_ms = n;
    p.has_start = false;
  } else if (text.starts_with('@') && text.size() > 1) {
    KQ_ASSIGN_OR_RETURN(p.spec, ParseTimeRange(text, text.substr(1), now_ms));
  } else if (text.starts_with('-') && ParseTime(text, now_ms).ok()) {
    return NotAnOffset(text, fmt::format(" (for a time relative to now write @{})", text));
  } else {
    return NotAnOffset(text);
  }
  return p;
}

}  // namespace

Result<OffsetSpec> ParseOffsetSpec(std::string_view text, int64_t now_ms) {
  KQ_ASSIGN_OR_RETURN(Parsed p, ParseOne(text, now_ms));
  return p.spec;
}

Result<OffsetSpec> ParseOffsetSpecs(std::span<const std::string> texts, int64_t now_ms) {
  OffsetSpec merged;
  bool have_start = false;
  for (const std::string& text : texts) {
    KQ_ASSIGN_OR_RETURN(Parsed p, ParseOne(text, now_ms));
    if (p.has_start) {
      if (have_start) {
        return Status::InvalidArgument(
            fmt::format("-o: '{}': a start offset was already given", text));
      }
      have_start = true;
      merged.kind = p.spec.kind;
      merged.value = p.spec.value;
    }
    if (p.spec.end_timestamp_ms) {
      if (merged.end_timestamp_ms) {
        return Status::InvalidArgument(
            fmt::format("-o: '{}': an end time was already given", text));
      }
      merged.end_timestamp_ms = p.spec.end_timestamp_ms;
    }
  }
  if (merged.kind == Kind::kTimestamp && merged.end_timestamp_ms &&
      *merged.end_timestamp_ms < merged.value) {
    return Status::InvalidArgument(fmt::format("-o: the end time {} is before the start time {}",
                                               FormatIso8601Ms(*merged.end_timestamp_ms),
                                               FormatIso8601Ms(merged.value)));
  }
  return merged;
}

std::string DescribeOffsetSpec(const OffsetSpec& spec) {
  std::string s;
  switch (spec.kind) {
    case Kind::kBeginning:
      s = "beginning";
      break;
    case Kind::kEnd:
      s = "end";
      break;
    case Kind::kStored:
      s = "stored";
      break;
    case Kind::kAbsolute:
      s = fmt::format("offset {}", spec.value);
      break;
    case Kind::kFromEnd:
      s = fmt::format("last {}", spec.value);
      break;
    case Kind::kTimestamp:
      s = "timestamp " + FormatIso8601Ms(spec.value);
      break;
  }
  if (spec.end_timestamp_ms) s += " until " + FormatIso8601Ms(*spec.end_timestamp_ms);
  return s;
}

}  // namespace kq::tools
