// Sparse indexes of a segment, in Kafka's entry layouts (core/FORMAT.md,
// "Offset index" and "Time index"):
//
//   .index      entry := relativeOffset:int32 position:int32        (8 bytes)
//   .timeindex  entry := timestamp:int64 relativeOffset:int32       (12 bytes)
//   big-endian; entries strictly increasing in every field.
//
// An offset entry (r, p): the batch starting at byte p of the .log ends at
// offset base + r. A time entry (t, r): t is the largest timestamp in the
// segment up to offset base + r. Both are hints: a lookup gives a position
// to start scanning from, never the answer itself, so a missing entry costs
// time, not correctness.
//
// These classes hold entries in memory and encode/decode them; the segment
// owns the files. Not thread-safe.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace kq::log {

struct OffsetIndexEntry {
  uint32_t relative_offset = 0;
  uint32_t position = 0;
};

struct TimeIndexEntry {
  int64_t timestamp = 0;
  uint32_t relative_offset = 0;
};

class OffsetIndex {
 public:
  static constexpr size_t kEntrySize = 8;

  // Decodes `bytes` (a whole .index file), keeping the longest prefix of
  // entries that increase strictly and point below `log_size`. Returns false
  // when anything had to be dropped (a partial or bad entry: rebuild).
  bool Load(std::string_view bytes, uint64_t log_size);
  // Decodes more entries appended to the file by another process.
  bool LoadMore(std::string_view bytes, uint64_t log_size);

  // The entry with the greatest relative offset <= `relative_offset`, or
  // {0, 0} (scan from the start) when there is none.
  OffsetIndexEntry Lookup(uint32_t relative_offset) const;

  // True when `e` may follow the last entry.
  bool CanAppend(const OffsetIndexEntry& e) const;
  void Append(const OffsetIndexEntry& e) { entries_.push_back(e); }
  static void Encode(const OffsetIndexEntry& e, std::string* dst);

  // Drops entries whose position is >= `position` (truncation).
  void TruncateToPosition(uint64_t position);
  // Keeps the first `count` entries.
  void TruncateToSize(size_t count) { entries_.resize(std::min(count, entries_.size())); }
  // Drops the entries at or past `relative_offset`.
  void TruncateToRelativeOffset(int64_t relative_offset);
  void Clear() { entries_.clear(); }

  const std::vector<OffsetIndexEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  size_t file_bytes() const { return entries_.size() * kEntrySize; }
  bool empty() const { return entries_.empty(); }
  const OffsetIndexEntry& back() const { return entries_.back(); }

 private:
  std::vector<OffsetIndexEntry> entries_;
};

class TimeIndex {
 public:
  static constexpr size_t kEntrySize = 12;

  // As OffsetIndex::Load; entries must increase in both fields and stay
  // below `max_relative_offset` (exclusive) when it is >= 0.
  bool Load(std::string_view bytes, int64_t max_relative_offset);
  bool LoadMore(std::string_view bytes, int64_t max_relative_offset);

  // The entry with the greatest timestamp strictly below `timestamp`; the
  // first record with a timestamp >= `timestamp` lies after its offset.
  // {-1, 0} when there is none (scan from the segment start).
  TimeIndexEntry LookupBefore(int64_t timestamp) const;

  bool CanAppend(const TimeIndexEntry& e) const;
  void Append(const TimeIndexEntry& e) { entries_.push_back(e); }
  static void Encode(const TimeIndexEntry& e, std::string* dst);

  // Drops entries with relative offset >= `relative_offset`.
  void TruncateToRelativeOffset(int64_t relative_offset);
  // Keeps the first `count` entries.
  void TruncateToSize(size_t count) { entries_.resize(std::min(count, entries_.size())); }
  void Clear() { entries_.clear(); }

  const std::vector<TimeIndexEntry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  size_t file_bytes() const { return entries_.size() * kEntrySize; }
  bool empty() const { return entries_.empty(); }
  const TimeIndexEntry& back() const { return entries_.back(); }

 private:
  std::vector<TimeIndexEntry> entries_;
};

}  // namespace kq::log
