#include "pipe/position.h"

#include <algorithm>
#include <charconv>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "format/record_batch.h"
#include "log/partition.h"
#include "log/topic_name.h"

namespace kq::pipe {
namespace {

// A header value is small; this caps what a hostile one may make us build.
constexpr size_t kMaxEntries = 100000;
// Backward scan windows, in offsets.
constexpr int64_t kFirstWindow = 64;
constexpr int64_t kMaxWindow = 16384;

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (text.empty() || text.size() > 20) return false;
  if (text.size() > 1 && text[0] == '0') return false;  // one spelling per number
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// Splits `line` into exactly `n` fields at single spaces; the last field
// takes the rest of the line (paths and topic names may not be split).
bool SplitFields(std::string_view line, size_t n, std::vector<std::string_view>* fields) {
  fields->clear();
  for (size_t i = 0; i + 1 < n; ++i) {
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) return false;
    fields->push_back(line.substr(0, sp));
    line.remove_prefix(sp + 1);
  }
  fields->push_back(line);
  return true;
}

}  // namespace

const TopicOffset* Position::FindTopic(std::string_view topic, int32_t partition) const {
  for (const auto& t : topics) {
    if (t.topic == topic && t.partition == partition) return &t;
  }
  return nullptr;
}

const FileOffset* Position::FindFile(std::string_view path) const {
  for (const auto& f : files) {
    if (f.path == path) return &f;
  }
  return nullptr;
}

void Position::Set(const TopicOffset& t) {
  for (auto& e : topics) {
    if (e.topic == t.topic && e.partition == t.partition) {
      e = t;
      return;
    }
  }
  topics.push_back(t);
}

void Position::Set(const FileOffset& f) {
  for (auto& e : files) {
    if (e.path == f.path) {
      e = f;
      return;
    }
  }
  files.push_back(f);
}

Result<std::string> EncodePosition(const Position& position) {
  std::string out(kPositionMagic);
  out += '\n';
  for (const auto& t : position.topics) {
    KQ_RETURN_IF_ERROR(log::ValidateTopicName(t.topic));
    if (t.partition < 0 || t.next_offset < 0) {
      return Status::InvalidArgument(
          fmt::format("position of topic '{}' partition {}: negative", t.topic, t.partition));
    }
    fmt::format_to(std::back_inserter(out), "T {} {} {}\n", t.partition, t.next_offset, t.topic);
  }
  for (const auto& f : position.files) {
    if (f.path.empty() || f.path.find_first_of(std::string_view("\n\0", 2)) != std::string::npos) {
      return Status::InvalidArgument(
          "a followed file's path must be non-empty, without newline or NUL");
    }
    fmt::format_to(std::back_inserter(out), "F {} {} {} {} {:08x} {}\n", f.device, f.inode,
                   f.offset, f.head_length, f.head_crc, f.path);
  }
  return out;
}

Result<Position> DecodePosition(std::string_view value) {
  const auto bad = [](size_t line, std::string_view why) {
    return Status::InvalidArgument(fmt::format("{} line {}: {}", kPositionHeader, line, why));
  };
  Position p;
  if (value.empty() || value.back() != '\n') return bad(1, "does not end with a newline");
  size_t line_no = 0;
  std::vector<std::string_view> f;
  std::set<std::pair<std::string_view, int32_t>> seen_topics;
  std::set<std::string_view> seen_files;
  while (!value.empty()) {
    ++line_no;
    const size_t nl = value.find('\n');
    const std::string_view line = value.substr(0, nl);
    value.remove_prefix(nl + 1);
    if (line_no == 1) {
      if (line != kPositionMagic) {
        if (line.starts_with("kq.position/")) {
          return bad(1, fmt::format("version '{}' is not supported (this kq reads {})",
                                    line.substr(12, 16), kPositionMagic));
        }
        return bad(1, fmt::format("expected '{}'", kPositionMagic));
      }
      continue;
    }
    if (p.topics.size() + p.files.size() >= kMaxEntries) {
      return bad(line_no, fmt::format("more than {} entries", kMaxEntries));
    }
    if (line.starts_with("T ")) {
      TopicOffset t;
      if (!SplitFields(line.substr(2), 3, &f) || !ParseNumber(f[0], &t.partition) ||
          t.partition < 0 || !ParseNumber(f[1], &t.next_offset) || t.next_offset < 0) {
        return bad(line_no, "expected 'T <partition> <next offset> <topic>'");
      }
      if (Status s = log::ValidateTopicName(f[2]); !s.ok()) return bad(line_no, s.message());
      if (!seen_topics.emplace(f[2], t.partition).second) {
        return bad(line_no, fmt::format("topic '{}' partition {} twice", f[2], t.partition));
      }
      t.topic = std::string(f[2]);
      p.topics.push_back(std::move(t));
    } else if (line.starts_with("F ")) {
      FileOffset e;
      if (!SplitFields(line.substr(2), 6, &f) || !ParseNumber(f[0], &e.device) ||
          !ParseNumber(f[1], &e.inode) || !ParseNumber(f[2], &e.offset) ||
          !ParseNumber(f[3], &e.head_length) || f[4].size() != 8 ||
          std::from_chars(f[4].data(), f[4].data() + 8, e.head_crc, 16).ptr != f[4].data() + 8 ||
          f[5].empty() || f[5].find('\0') != std::string_view::npos) {
        return bad(line_no,
                   "expected 'F <device> <inode> <offset> <head length> <head crc, 8 hex> <path>'");
      }
      if (e.head_length > e.offset || e.head_length > kFileHeadBytes) {
        return bad(line_no, "head length past the offset or the fingerprint size");
      }
      if (!seen_files.insert(f[5]).second) {
        return bad(line_no, fmt::format("file '{}' twice", f[5]));
      }
      e.path = std::string(f[5]);
      p.files.push_back(std::move(e));
    } else {
      return bad(line_no, "unknown entry (expected 'T ...' or 'F ...')");
    }
  }
  return p;
}

Result<std::optional<Position>> PositionOfBatch(std::string_view batch, std::string* scratch,
                                                std::string_view where) {
  KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(batch));
  if (h.is_control() || h.records_count == 0) return std::optional<Position>();
  std::optional<std::string> value;
  int64_t offset = -1;
  int32_t seen = 0;
  KQ_RETURN_IF_ERROR(format::ForEachRecord(batch, scratch, [&](const format::RecordView& r) {
    if (++seen < h.records_count) return Status::Ok();
    offset = r.offset;
    for (const auto& hv : r.headers) {
      if (hv.key != kPositionHeader) continue;
      if (value) {
        return Status::Corruption(
            fmt::format("{} offset {}: header {} twice", where, r.offset, kPositionHeader));
      }
      if (!hv.value) {
        return Status::Corruption(
            fmt::format("{} offset {}: header {} is null", where, r.offset, kPositionHeader));
      }
      value = std::string(*hv.value);
    }
    return Status::Ok();
  }));
  if (!value) return std::optional<Position>();
  Result<Position> p = DecodePosition(*value);
  if (!p.ok()) {
    return Status::Corruption(fmt::format("{} offset {}: {}", where, offset, p.status().message()));
  }
  return std::optional<Position>(std::move(p).value());
}

Status ScanPositionsBackward(const log::LogDir& dir, std::string_view topic, int32_t partition,
                             const PositionVisitor& visit) {
  KQ_ASSIGN_OR_RETURN(auto part,
                      dir.OpenPartition(topic, PartitionId(partition), log::OpenMode::kRead));
  const std::string where = fmt::format("topic '{}' partition {}", topic, partition);
  const int64_t start = part->log_start_offset().value();
  int64_t hi = part->log_end_offset().value();  // batches at or past hi are done
  int64_t window = kFirstWindow;
  std::string scratch;
  while (hi > start) {
    const int64_t lo = std::max(start, hi - window);
    // The whole batches from the one holding lo up to hi, oldest first,
    // with their last offsets.
    std::vector<std::pair<int64_t, std::string>> batches;
    int64_t at = lo;
    int64_t first_base = hi;
    while (at < hi) {
      Result<log::ReadChunk> chunk = part->Read(Offset(at), size_t{1} << 20);
      if (!chunk.ok()) {
        // Retention may have removed the window's start since we opened.
        if (chunk.status().IsOutOfRange()) return Status::Ok();
        return chunk.status();
      }
      if (chunk->bytes.empty()) break;
      std::string_view rest = chunk->bytes;
      while (!rest.empty()) {
        KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(rest));
        if (h.total_size() > rest.size()) {
          return Status::Corruption(
              fmt::format("{}: short batch at offset {}", where, h.base_offset));
        }
        if (h.base_offset < hi && h.next_offset() > lo) {
          if (batches.empty()) first_base = h.base_offset;
          batches.emplace_back(h.last_offset(), rest.substr(0, h.total_size()));
        }
        rest.remove_prefix(h.total_size());
      }
      if (chunk->next_offset.value() <= at) break;
      at = chunk->next_offset.value();
    }
    for (auto it = batches.rbegin(); it != batches.rend(); ++it) {
      KQ_ASSIGN_OR_RETURN(std::optional<Position> p, PositionOfBatch(it->second, &scratch, where));
      if (!p) continue;
      KQ_ASSIGN_OR_RETURN(bool more, visit(FoundPosition{it->first, std::move(*p)}));
      if (!more) return Status::Ok();
    }
    hi = std::min(lo, first_base);
    window = std::min(window * 2, kMaxWindow);
  }
  return Status::Ok();
}

Result<std::optional<FoundPosition>> ReadLatestPosition(const log::LogDir& dir,
                                                        std::string_view topic, int32_t partition) {
  std::optional<FoundPosition> found;
  KQ_RETURN_IF_ERROR(
      ScanPositionsBackward(dir, topic, partition, [&](const FoundPosition& f) -> Result<bool> {
        found = f;
        return false;
      }));
  return found;
}

Result<std::vector<TopicOffset>> ReadInputOffsets(const log::LogDir& dir, std::string_view topic,
                                                  int32_t partition, std::string_view input_topic,
                                                  const std::vector<int32_t>& wanted) {
  std::set<int32_t> missing(wanted.begin(), wanted.end());
  std::vector<TopicOffset> out;
  if (missing.empty()) return out;
  KQ_RETURN_IF_ERROR(
      ScanPositionsBackward(dir, topic, partition, [&](const FoundPosition& f) -> Result<bool> {
        for (const auto& t : f.position.topics) {
          if (t.topic == input_topic && missing.erase(t.partition) > 0) out.push_back(t);
        }
        return !missing.empty();
      }));
  std::sort(out.begin(), out.end(),
            [](const TopicOffset& a, const TopicOffset& b) { return a.partition < b.partition; });
  return out;
}

std::vector<format::HeaderView> WithoutPosition(const std::vector<format::HeaderView>& headers) {
  std::vector<format::HeaderView> out;
  out.reserve(headers.size());
  for (const auto& h : headers) {
    if (h.key != kPositionHeader) out.push_back(h);
  }
  return out;
}

}  // namespace kq::pipe
