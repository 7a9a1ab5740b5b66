// Segment: one .log file of batches with its sparse .index and .timeindex
// (core/FORMAT.md, "Segment files"). The partition decides when to create,
// roll, recover and delete segments; a segment only knows its own files.
//
// State kept in memory and refreshed from the files: the valid end (bytes of
// complete batches), the next offset, the largest timestamp, and the indexes.
// A reader's view may lag the file; Refresh() catches up.
//
// Not thread-safe. Writes require the partition lock (the caller holds it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "base/strong_types.h"
#include "io/env.h"
#include "log/batch_scanner.h"
#include "log/offset_index.h"

namespace kq::log {

// One batch inside a buffer passed to Segment::Append.
struct AppendedBatch {
  uint64_t offset_in_buffer = 0;
  uint64_t size = 0;
  int64_t last_offset = 0;
  int64_t max_timestamp = -1;
};

struct SegmentOptions {
  uint32_t index_interval_bytes = 4096;
  size_t max_batch_bytes = 64 << 20;
};

class Segment {
 public:
  // Opens an existing segment and learns its state from the indexes and a
  // header scan of the tail (no CRC checks). Never modifies files.
  static Result<std::unique_ptr<Segment>> Open(io::Env* env, const std::string& dir, Offset base,
                                               const SegmentOptions& options);
  // Creates an empty segment (its three files; the caller syncs the dir).
  static Result<std::unique_ptr<Segment>> Create(io::Env* env, const std::string& dir, Offset base,
                                                 const SegmentOptions& options);

  Offset base_offset() const { return base_; }
  Offset next_offset() const { return next_offset_; }
  // Bytes of complete batches, as last seen.
  uint64_t size() const { return valid_end_; }
  int64_t max_timestamp() const { return max_timestamp_; }
  // The maxTimestamp of the first batch (-1 when empty or unknown): segment.ms.
  int64_t first_batch_timestamp() const { return first_batch_timestamp_; }
  bool empty() const { return valid_end_ == 0; }
  const std::string& log_path() const { return log_path_; }
  const std::string& index_path() const { return index_path_; }
  const std::string& time_index_path() const { return time_index_path_; }
  size_t index_entries() const { return index_.size(); }
  size_t time_index_entries() const { return time_index_.size(); }
  const OffsetIndex& offset_index() const { return index_; }
  const TimeIndex& time_index() const { return time_index_; }
  // Framing damage found by the last tail scan (OK when none). Bytes past
  // size() are then not readable.
  const Status& tail_damage() const { return tail_damage_; }
  // True when the last scan ended in an incomplete frame.
  bool torn_tail() const { return torn_tail_; }
  // True when an index file was missing, partial or inconsistent.
  bool indexes_need_rebuild() const { return indexes_need_rebuild_; }
  const io::RandomAccessFile& file() const { return *reader_; }
  // The same file, shared: a located read (Partition::Locate) keeps it open
  // after the segment object is dropped (rolled, truncated, deleted).
  std::shared_ptr<const io::RandomAccessFile> shared_file() const { return reader_; }

  // The file as it is now (size and whether it was unlinked).
  Result<io::FileInfo> StatLog() const { return reader_->Stat(); }
  // Re-reads the file size and scans batches appended since the last look.
  Status Refresh();

  // Position of the batch holding `offset` (or of the first batch after it,
  // when compaction left a gap); size() when none in this segment.
  Result<FilePos> FindPosition(Offset offset) const;
  // Position of the first batch at or after byte `from` (a batch boundary)
  // that may hold a record with timestamp >= ts; size() when none.
  Result<FilePos> FindTimestampPosition(int64_t ts, uint64_t from = 0) const;

  // --- writing (partition lock held) ---
  // Appends `buffer` (whole batches with offsets assigned, described by
  // `batches`) and updates the indexes. Page cache only.
  Status Append(std::string_view buffer, std::span<const AppendedBatch> batches);
  // fdatasync of the .log.
  Status SyncLog();
  // A second handle on the .log writer, to fdatasync it from another thread
  // (io::AppendableFile::Duplicate).
  Result<std::unique_ptr<io::AppendableFile>> DuplicateLog();
  // fdatasync of the .index and .timeindex (whoever appended to them):
  // before a recovery point above their entries is written, since recovery
  // trusts the entries below it.
  Status SyncIndexes();
  // Adds a final time-index entry for the largest timestamp, syncs the log
  // and both indexes: the segment is now sealed and durable.
  Status Seal();
  // Recovery on open. Batches wholly below `durable` (the recovery point, or
  // the base offset when nothing is known durable) were synced: their state
  // is re-derived from headers, starting at the last index entry that checks
  // out. Every batch from there is validated with its CRC, the indexes are
  // rebuilt and the file is cut at the first torn or corrupt batch. Damage
  // below `durable` is not cut: *problem reports it.
  struct RecoveryScan {
    uint64_t scanned_from = 0;           // where CRC validation started
    uint64_t cut = 0;                    // bytes cut from the end
    bool damaged_below_durable = false;  // *problem is below `durable`: nothing was cut
  };
  Result<RecoveryScan> Recover(Offset durable, Status* problem);
  // Re-creates both index files from a header scan of the whole log.
  Status RebuildIndexes();
  // Cuts the log at `position` (a batch boundary) and drops index entries
  // at or past it.
  Status TruncateAtPosition(uint64_t position);
  // Removes the segment's files (the caller syncs the dir).
  Status Remove();
  // Releases write handles (after sealing, or before removal).
  void CloseWriters();

 private:
  Segment(io::Env* env, std::string dir, Offset base, const SegmentOptions& options);
  Status OpenReader();
  Status LoadIndexes(uint64_t log_size);
  // Scans batch headers in [from, end) and folds them into the state. When
  // `from_indexed_batch`, the batch at `from` is the one the last index
  // entry names (its bytes already count in the indexes).
  Status ScanTail(uint64_t from, uint64_t end, bool from_indexed_batch);
  // For Recover: restores the state after the batch named by the last index
  // entry below `durable` that checks out against the log (entries after it
  // are dropped, in both indexes) and returns where the header scan goes on
  // from (0, with the indexes cleared, when no entry can be trusted).
  Result<uint64_t> ResumeAtIndexEntryBelow(Offset durable, uint64_t log_size);
  // The header of the whole batch at `position` when it ends at
  // `last_offset` within `log_size` bytes; nullopt when it does not.
  Result<std::optional<format::BatchHeader>> BatchEndingAt(uint64_t position, int64_t last_offset,
                                                           uint64_t log_size) const;
  // Whether a time-index entry agrees with the log: the batch holding its
  // offset ends there and its largest timestamp is not above the entry's.
  Result<bool> TimeEntryHolds(const TimeIndexEntry& e, uint64_t log_size) const;
  // How many entries recovery tries, from the last one back, before it
  // gives up on an index and scans the segment from its start.
  static constexpr int kMaxIndexEntriesTried = 64;
  Status OpenWriters();
  Status RewriteIndexFiles();
  // Forgets everything learned about the .log (end, next offset, timestamps,
  // torn tail, damage) so a scan re-learns it: used by truncation, reloads,
  // index rebuilds and recovery. The indexes are the caller's business.
  void ResetState();
  void NoteBatch(uint64_t position, uint64_t size, int64_t last_offset, int64_t max_ts,
                 std::string* index_out, std::string* time_out);

  io::Env* env_;
  std::string dir_;
  Offset base_;
  SegmentOptions options_;
  std::string log_path_, index_path_, time_index_path_;
  std::shared_ptr<io::RandomAccessFile> reader_;
  std::unique_ptr<io::AppendableFile> log_writer_, index_writer_, time_writer_;
  OffsetIndex index_;
  TimeIndex time_index_;
  // Entries LoadIndexes took from the files; the ones after them in memory
  // come from scanning the log past the last one.
  size_t index_entries_from_file_ = 0;
  size_t time_entries_from_file_ = 0;
  uint64_t index_file_bytes_ = 0;       // bytes of .index already loaded
  uint64_t time_index_file_bytes_ = 0;  // bytes of .timeindex already loaded
  uint64_t valid_end_ = 0;
  Offset next_offset_;
  int64_t max_timestamp_ = -1;
  int64_t first_batch_timestamp_ = -1;
  uint64_t bytes_since_index_entry_ = 0;
  bool torn_tail_ = false;
  bool indexes_need_rebuild_ = false;
  Status tail_damage_;
};

}  // namespace kq::log
