#include "log/checkpoint_file.h"

#include <algorithm>
#include <charconv>
#include <limits>

#include <fmt/format.h>

#include "log/topic_name.h"

namespace kq::log {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsBlank(line[i])) ++i;
    size_t start = i;
    while (i < line.size() && !IsBlank(line[i])) ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

// The text's lines; a final "\n" ends the last line rather than starting an
// empty one.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

Status LineError(std::string_view source, size_t line_number, std::string_view why) {
  return Status::Corruption(fmt::format("{}: line {}: {}", source, line_number, why));
}

// A line shown in a message: escaped and bounded.
std::string Quote(std::string_view line) { return "'" + EscapeForMessage(line, 80) + "'"; }

}  // namespace

bool ParseCheckpointInt(std::string_view text, int64_t* out) {
  if (text.empty() || text[0] == '+') return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

Result<std::vector<CheckpointLine>> SplitCheckpoint(std::string_view text, std::string_view source,
                                                    size_t fields_per_entry,
                                                    std::string_view entry_form) {
  std::vector<std::string_view> lines = SplitLines(text);
  if (lines.empty()) return std::vector<CheckpointLine>{};
  std::vector<std::string_view> version = SplitFields(lines[0]);
  if (version.size() != 1 || version[0] != "0") {
    int64_t v = 0;
    if (version.size() == 1 && ParseCheckpointInt(version[0], &v)) {
      return Status::NotSupported(fmt::format(
          "{}: line 1: checkpoint version {} is not supported (expected 0)", source, v));
    }
    return LineError(source, 1, fmt::format("expected the version '0', found {}", Quote(lines[0])));
  }
  if (lines.size() < 2) return LineError(source, 2, "missing the entry count");
  std::vector<std::string_view> count_fields = SplitFields(lines[1]);
  int64_t count = 0;
  if (count_fields.size() != 1 || !ParseCheckpointInt(count_fields[0], &count) || count < 0) {
    return LineError(source, 2, fmt::format("expected an entry count, found {}", Quote(lines[1])));
  }
  const size_t available = lines.size() - 2;
  if (static_cast<uint64_t>(count) > available) {
    return Status::Corruption(
        fmt::format("{}: the count says {} entries but the file has {}", source, count, available));
  }
  std::vector<CheckpointLine> entries;
  entries.reserve(static_cast<size_t>(count));  // bounded by the lines present
  for (size_t i = 2; i < 2 + static_cast<size_t>(count); ++i) {
    CheckpointLine line{static_cast<int>(i + 1), SplitFields(lines[i])};
    if (line.fields.size() != fields_per_entry) {
      return LineError(source, i + 1,
                       fmt::format("expected '{}', found {}", entry_form, Quote(lines[i])));
    }
    entries.push_back(std::move(line));
  }
  if (available > static_cast<size_t>(count)) {
    return LineError(source, count + 3,
                     fmt::format("the count says {} entries but more lines follow: {}", count,
                                 Quote(lines[count + 2])));
  }
  return entries;
}

Status CheckpointLineError(std::string_view source, const CheckpointLine& line,
                           std::string_view why) {
  return LineError(source, line.line_number, why);
}

std::string JoinCheckpoint(const std::vector<std::string>& entry_lines) {
  std::string out = fmt::format("0\n{}\n", entry_lines.size());
  for (const std::string& line : entry_lines) {
    out += line;
    out += '\n';
  }
  return out;
}

Result<std::string> ReadCheckpointText(io::Env* env, const std::string& path) {
  Result<std::string> text = env->ReadFileToString(path);
  if (!text.ok() && text.status().IsNotFound()) return std::string();
  return text;
}

Result<std::vector<CheckpointEntry>> ParseCheckpoint(std::string_view text,
                                                     std::string_view source) {
  KQ_ASSIGN_OR_RETURN(std::vector<CheckpointLine> lines,
                      SplitCheckpoint(text, source, 3, "topic partition offset"));
  std::vector<CheckpointEntry> entries;
  entries.reserve(lines.size());
  for (const CheckpointLine& line : lines) {
    Status name_ok = ValidateTopicName(line.fields[0]);
    if (!name_ok.ok()) return CheckpointLineError(source, line, name_ok.message());
    int64_t partition = 0, offset = 0;
    if (!ParseCheckpointInt(line.fields[1], &partition) || partition < 0 ||
        partition > std::numeric_limits<int32_t>::max()) {
      return CheckpointLineError(source, line,
                                 fmt::format("bad partition {}", Quote(line.fields[1])));
    }
    if (!ParseCheckpointInt(line.fields[2], &offset) || offset < 0) {
      return CheckpointLineError(source, line, fmt::format("bad offset {}", Quote(line.fields[2])));
    }
    entries.push_back({std::string(line.fields[0]), PartitionId(static_cast<int32_t>(partition)),
                       Offset(offset)});
  }
  return entries;
}

std::string FormatCheckpoint(const std::vector<CheckpointEntry>& entries) {
  std::vector<std::string> lines;
  lines.reserve(entries.size());
  for (const CheckpointEntry& e : entries) {
    lines.push_back(fmt::format("{} {} {}", e.topic, e.partition, e.offset));
  }
  return JoinCheckpoint(lines);
}

Result<std::vector<CheckpointEntry>> ReadCheckpoint(io::Env* env, const std::string& path) {
  KQ_ASSIGN_OR_RETURN(std::string text, ReadCheckpointText(env, path));
  return ParseCheckpoint(text, path);
}

Status WriteCheckpoint(io::Env* env, const std::string& path,
                       const std::vector<CheckpointEntry>& entries) {
  return env->WriteFileAtomic(path, FormatCheckpoint(entries));
}

}  // namespace kq::log
