#include "log/offset_index.h"

#include <algorithm>

#include "base/encoding.h"

namespace kq::log {

bool OffsetIndex::Load(std::string_view bytes, uint64_t log_size) {
  entries_.clear();
  return LoadMore(bytes, log_size);
}

bool OffsetIndex::LoadMore(std::string_view bytes, uint64_t log_size) {
  const size_t n = bytes.size() / kEntrySize;
  entries_.reserve(entries_.size() + n);
  for (size_t i = 0; i < n; ++i) {
    const char* p = bytes.data() + i * kEntrySize;
    OffsetIndexEntry e{DecodeFixed32BE(p), DecodeFixed32BE(p + 4)};
    // An index preallocated by Kafka ends in zero entries; a torn or stale
    // one may point past the log. Either way, the valid prefix is usable.
    if (!CanAppend(e) || e.position >= log_size || e.relative_offset > INT32_MAX) return false;
    entries_.push_back(e);
  }
  return bytes.size() % kEntrySize == 0;
}

OffsetIndexEntry OffsetIndex::Lookup(uint32_t relative_offset) const {
  auto it =
      std::upper_bound(entries_.begin(), entries_.end(), relative_offset,
                       [](uint32_t r, const OffsetIndexEntry& e) { return r < e.relative_offset; });
  if (it == entries_.begin()) return {0, 0};
  return *std::prev(it);
}

bool OffsetIndex::CanAppend(const OffsetIndexEntry& e) const {
  if (entries_.empty()) return true;
  return e.relative_offset > entries_.back().relative_offset &&
         e.position > entries_.back().position;
}

void OffsetIndex::Encode(const OffsetIndexEntry& e, std::string* dst) {
  PutFixed32BE(dst, e.relative_offset);
  PutFixed32BE(dst, e.position);
}

void OffsetIndex::TruncateToPosition(uint64_t position) {
  while (!entries_.empty() && entries_.back().position >= position) entries_.pop_back();
}

void OffsetIndex::TruncateToRelativeOffset(int64_t relative_offset) {
  while (!entries_.empty() &&
         static_cast<int64_t>(entries_.back().relative_offset) >= relative_offset) {
    entries_.pop_back();
  }
}

bool TimeIndex::Load(std::string_view bytes, int64_t max_relative_offset) {
  entries_.clear();
  return LoadMore(bytes, max_relative_offset);
}

bool TimeIndex::LoadMore(std::string_view bytes, int64_t max_relative_offset) {
  const size_t n = bytes.size() / kEntrySize;
  entries_.reserve(entries_.size() + n);
  for (size_t i = 0; i < n; ++i) {
    const char* p = bytes.data() + i * kEntrySize;
    TimeIndexEntry e{static_cast<int64_t>(DecodeFixed64BE(p)), DecodeFixed32BE(p + 8)};
    if (!CanAppend(e) || e.relative_offset > INT32_MAX) return false;
    if (max_relative_offset >= 0 && e.relative_offset >= max_relative_offset) return false;
    entries_.push_back(e);
  }
  return bytes.size() % kEntrySize == 0;
}

TimeIndexEntry TimeIndex::LookupBefore(int64_t timestamp) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), timestamp,
                             [](const TimeIndexEntry& e, int64_t t) { return e.timestamp < t; });
  if (it == entries_.begin()) return {-1, 0};
  return *std::prev(it);
}

bool TimeIndex::CanAppend(const TimeIndexEntry& e) const {
  if (entries_.empty()) return true;
  return e.timestamp > entries_.back().timestamp &&
         e.relative_offset > entries_.back().relative_offset;
}

void TimeIndex::Encode(const TimeIndexEntry& e, std::string* dst) {
  PutFixed64BE(dst, static_cast<uint64_t>(e.timestamp));
  PutFixed32BE(dst, e.relative_offset);
}

void TimeIndex::TruncateToRelativeOffset(int64_t relative_offset) {
  while (!entries_.empty() &&
         static_cast<int64_t>(entries_.back().relative_offset) >= relative_offset) {
    entries_.pop_back();
  }
}

}  // namespace kq::log
