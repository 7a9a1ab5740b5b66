// CleanedSegment: the cleaner's output for one group of source segments,
// written under the transient names <base>.log.cleaned, .index.cleaned and
// .timeindex.cleaned (segment_name.h) that the log engine never loads.
//
// Batches are appended in offset order; the sparse indexes follow the
// engine's rules (segment.cc): an offset and a time entry each time more
// than index.interval.bytes were appended since the last entry, naming that
// batch's last offset and position, plus a final time entry for the largest
// timestamp when finished (as a sealed segment has).
//
// A group may try one more source segment and take it back (Mark/Rollback)
// when the result would exceed segment.bytes.
//
// In dry-run mode nothing is written; sizes and entries are still counted.
// Durability: nothing is durable before Finish, everything after it.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "base/strong_types.h"
#include "io/env.h"
#include "log/offset_index.h"

namespace kq::maint {

class CleanedSegment {
 public:
  struct Mark {
    uint64_t size = 0;
    size_t index_entries = 0;
    size_t time_entries = 0;
    uint64_t bytes_since_entry = 0;
    int64_t max_timestamp = -1;
    Offset next_offset;
    bool changed = false;
  };

  // Creates (truncating leftovers) the three .cleaned files for `base`.
  static Result<std::unique_ptr<CleanedSegment>> Create(io::Env* env, const std::string& dir,
                                                        Offset base, uint32_t index_interval_bytes,
                                                        bool dry_run);
  ~CleanedSegment();

  // Appends one whole batch ending at `last_offset`.
  Status Append(std::string_view batch, int64_t last_offset, int64_t max_timestamp);
  // Notes that the output differs from the sources (a batch was rewritten
  // or dropped); an unchanged single-segment group need not be swapped in.
  void NoteChange() { changed_ = true; }

  Mark GetMark() const;
  Status Rollback(const Mark& mark);

  // Writes the final time entry and both index files, fsyncs all three.
  Status Finish();
  // Removes the .cleaned files (after a failure or when not needed).
  Status Abort();

  Offset base_offset() const { return base_; }
  Offset next_offset() const { return next_offset_; }
  uint64_t size() const { return size_; }
  bool changed() const { return changed_; }
  size_t index_entries() const { return index_.size(); }
  size_t time_index_entries() const { return time_index_.size(); }
  const std::string& log_path() const { return log_path_; }
  const std::string& index_path() const { return index_path_; }
  const std::string& time_index_path() const { return time_index_path_; }

 private:
  CleanedSegment(io::Env* env, const std::string& dir, Offset base, uint32_t interval,
                 bool dry_run);
  Status FlushBuffer();

  io::Env* env_;
  Offset base_;
  uint32_t index_interval_bytes_;
  bool dry_run_;
  std::string log_path_, index_path_, time_index_path_;
  std::unique_ptr<io::AppendableFile> log_;
  std::string buffer_;  // log bytes not yet handed to the file
  uint64_t size_ = 0;
  log::OffsetIndex index_;
  log::TimeIndex time_index_;
  uint64_t bytes_since_entry_ = 0;
  int64_t max_timestamp_ = -1;
  Offset next_offset_;
  bool changed_ = false;
};

}  // namespace kq::maint
