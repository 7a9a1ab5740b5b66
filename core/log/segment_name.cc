#include "log/segment_name.h"

#include <algorithm>

#include <cassert>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "log/topic_name.h"

namespace kq::log {
namespace {

constexpr size_t kOffsetDigits = 20;

// Parses a non-negative decimal made only of digits into an int64; false on
// anything else or overflow.
bool ParseDigits(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    uint64_t digit = static_cast<uint64_t>(c - '0');
    if (v > (kMax - digit) / 10) return false;
    v = v * 10 + digit;
  }
  *out = static_cast<int64_t>(v);
  return true;
}

constexpr SegmentFileKind kKinds[] = {SegmentFileKind::kLog, SegmentFileKind::kIndex,
                                      SegmentFileKind::kTimeIndex};
constexpr TransientSuffix kTransients[] = {TransientSuffix::kCleaned, TransientSuffix::kSwap,
                                           TransientSuffix::kDeleted};

}  // namespace

std::string_view SegmentSuffix(SegmentFileKind kind) {
  switch (kind) {
    case SegmentFileKind::kLog:
      return ".log";
    case SegmentFileKind::kIndex:
      return ".index";
    case SegmentFileKind::kTimeIndex:
      return ".timeindex";
  }
  return "";
}

std::string_view TransientSuffixText(TransientSuffix transient) {
  switch (transient) {
    case TransientSuffix::kNone:
      return "";
    case TransientSuffix::kCleaned:
      return ".cleaned";
    case TransientSuffix::kSwap:
      return ".swap";
    case TransientSuffix::kDeleted:
      return ".deleted";
  }
  return "";
}

std::string MakeSegmentFileName(Offset base_offset, SegmentFileKind kind,
                                TransientSuffix transient) {
  assert(base_offset.value() >= 0);
  return fmt::format("{:020d}{}{}", base_offset.value(), SegmentSuffix(kind),
                     TransientSuffixText(transient));
}

Result<SegmentFileName> ParseSegmentFileName(std::string_view name) {
  auto reject = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a segment file name: {}", EscapeForMessage(name), why));
  };
  if (name.size() < kOffsetDigits) return reject("expected 20 digits then a suffix");
  SegmentFileName out;
  int64_t base = 0;
  if (!ParseDigits(name.substr(0, kOffsetDigits), &base)) {
    return reject("the first 20 characters are not a base offset");
  }
  out.base_offset = Offset(base);
  std::string_view rest = name.substr(kOffsetDigits);
  for (TransientSuffix t : kTransients) {
    std::string_view text = TransientSuffixText(t);
    if (rest.size() > text.size() && rest.ends_with(text)) {
      out.transient = t;
      rest.remove_suffix(text.size());
      break;
    }
  }
  for (SegmentFileKind kind : kKinds) {
    if (rest == SegmentSuffix(kind)) {
      out.kind = kind;
      return out;
    }
  }
  return reject("unknown suffix (expected .log, .index or .timeindex)");
}

std::string PartitionDirName(std::string_view topic, PartitionId partition) {
  assert(partition.value() >= 0);
  return fmt::format("{}-{}", topic, partition.value());
}

Result<PartitionDir> ParsePartitionDirName(std::string_view name) {
  auto reject = [&](std::string_view why) {
    return Status::InvalidArgument(
        fmt::format("'{}' is not a partition directory name: {}", EscapeForMessage(name), why));
  };
  size_t dash = name.rfind('-');
  if (dash == std::string_view::npos) return reject("expected <topic>-<partition>");
  std::string_view topic = name.substr(0, dash);
  std::string_view number = name.substr(dash + 1);
  int64_t partition = 0;
  if (!ParseDigits(number, &partition) || partition > std::numeric_limits<int32_t>::max()) {
    return reject("the part after the last '-' is not a partition number");
  }
  // "orders-03" would not round-trip through PartitionDirName.
  if (number.size() > 1 && number[0] == '0')
    return reject("the partition number has leading zeros");
  Status topic_ok = ValidateTopicName(topic);
  if (!topic_ok.ok()) return reject(topic_ok.message());
  return PartitionDir{std::string(topic), PartitionId(static_cast<int32_t>(partition))};
}

Result<std::vector<Offset>> ListSegmentBases(io::Env* env, const std::string& dir) {
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, env->ListDir(dir));
  std::vector<Offset> bases;
  for (const std::string& name : names) {
    auto parsed = ParseSegmentFileName(name);
    if (parsed.ok() && parsed->kind == SegmentFileKind::kLog &&
        parsed->transient == TransientSuffix::kNone) {
      bases.push_back(parsed->base_offset);
    }
  }
  std::sort(bases.begin(), bases.end());
  return bases;
}

}  // namespace kq::log
