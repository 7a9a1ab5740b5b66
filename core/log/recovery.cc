#include "log/recovery.h"

#include <algorithm>

#include <fmt/format.h>

#include "log/partition.h"
#include "log/partition_files.h"
#include "log/segment.h"

namespace kq::log {

// --- the partition's pass ------------------------------------------------------

Status Partition::Recover(Offset recovery_point) {
  recovery_ = RecoveryReport{};
  // The first segment that may hold data not known to be durable.
  size_t first_unflushed = 0;
  while (first_unflushed + 1 < segments_.size() &&
         segments_[first_unflushed + 1]->base_offset() <= recovery_point) {
    ++first_unflushed;
  }
  // Below the recovery point the data was synced: damage there is corruption
  // to report, never something to cut. The message names the tool that can.
  auto refuse = [this](std::string_view damage) {
    return Status::Corruption(
        fmt::format("partition {}: {} (kq-compact --verify shows it; kq-compact --repair, with "
                    "--truncate-corrupt for a corrupt batch, cuts the partition there)",
                    Name(), damage));
  };
  for (size_t i = 0; i < first_unflushed; ++i) {
    Segment& seg = *segments_[i];
    if (!seg.tail_damage().ok()) return refuse(seg.tail_damage().message());
    if (seg.torn_tail()) {
      return refuse(fmt::format("{}: sealed segment ends in an incomplete batch at position {}",
                                seg.log_path(), seg.size()));
    }
    if (seg.indexes_need_rebuild()) {
      KQ_RETURN_IF_ERROR(seg.RebuildIndexes());
      recovery_.indexes_rebuilt = true;
    }
  }
  bool damaged = false;
  for (size_t i = first_unflushed; i < segments_.size(); ++i) {
    Segment& seg = *segments_[i];
    if (damaged) {
      // Kafka's rule: the log is only valid up to the first damage.
      KQ_RETURN_IF_ERROR(seg.Remove());
      ++recovery_.segments_removed;
      continue;
    }
    const Offset durable =
        i == first_unflushed ? std::max(recovery_point, seg.base_offset()) : seg.base_offset();
    KQ_ASSIGN_OR_RETURN(io::FileInfo before, seg.StatLog());
    Status problem;
    KQ_ASSIGN_OR_RETURN(Segment::RecoveryScan scan, seg.Recover(durable, &problem));
    if (scan.damaged_below_durable) return refuse(problem.message());
    recovery_.bytes_scanned += before.size - scan.scanned_from;
    recovery_.bytes_truncated += scan.cut;
    recovery_.indexes_rebuilt = true;
    if (scan.cut > 0 || !problem.ok()) damaged = true;
  }
  if (recovery_.segments_removed > 0) {
    segments_.erase(
        std::remove_if(segments_.begin() + static_cast<long>(first_unflushed) + 1, segments_.end(),
                       [this](const std::unique_ptr<Segment>& s) {
                         return !options_.env->FileExists(s->log_path());
                       }),
        segments_.end());
  }
  log_end_ = segments_.back()->next_offset();
  // What recovery kept is in the page cache (a process crash) or on disk (a
  // power loss): sync it once so the recovery point can move to the end.
  // A log that is empty and was always empty (a partition's first open,
  // whose files Open already made durable) has nothing to sync.
  const bool never_written = log_end_ == Offset(0) && recovery_point == Offset(0) &&
                             segments_.size() == 1 && recovery_.segments_removed == 0 &&
                             recovery_.bytes_truncated == 0;
  if (!never_written) {
    KQ_RETURN_IF_ERROR(segments_.back()->SyncLog());
    KQ_RETURN_IF_ERROR(options_.env->SyncDir(dir_));
  }
  if (recovery_point != log_end_) {
    KQ_RETURN_IF_ERROR(WriteOffsetCheckpoint(kRecoveryPointCheckpoint, log_end_));
  }
  recovery_point_written_ = log_end_;
  recovery_point_written_ms_ = options_.env->NowMs();
  return Status::Ok();
}

// --- one segment ----------------------------------------------------------------

Result<Segment::RecoveryScan> Segment::Recover(Offset durable, Status* problem) {
  *problem = Status::Ok();
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, reader_->Stat());
  // Forget what we believed; the scans below re-learn it.
  ResetState();
  if (durable > base_) {
    // Batches wholly below `durable` were synced: re-derive the state after
    // them from headers alone, starting at the last trustworthy index entry.
    KQ_ASSIGN_OR_RETURN(uint64_t header_scan_from, ResumeAtIndexEntryBelow(durable, info.size));
    BatchScanner head(*reader_, header_scan_from, info.size,
                      {.max_batch_bytes = options_.max_batch_bytes});
    BatchScanner::Batch b;
    std::string damage;  // what stopped the header scan short of `durable`
    while (head.Next(&b)) {
      const auto& h = b.header;
      if (h.base_offset < next_offset_.value() || h.last_offset_delta < 0) {
        damage = fmt::format("offset {} out of order", h.base_offset);
        break;
      }
      if (h.last_offset() >= durable.value()) break;  // validated below
      NoteBatch(b.position, h.total_size(), h.last_offset(), h.max_timestamp, nullptr, nullptr);
    }
    if (head.stop() == BatchScanner::Stop::kTorn) damage = "incomplete";
    if (head.stop() == BatchScanner::Stop::kIoError) return head.problem();
    if (head.stop() == BatchScanner::Stop::kCorrupt) damage = head.problem().message();
    // A segment may end below `durable` when the cleaner removed its last
    // records; a scan stopped by damage there is corruption, not a torn write.
    if (!damage.empty() && next_offset_ < durable) {
      *problem = Status::Corruption(
          fmt::format("{}: batch at position {} (offset {}), below the recovery point {}: {}",
                      log_path_, valid_end_, next_offset_.value(), durable.value(), damage));
      return RecoveryScan{valid_end_, 0, true};
    }
  } else {
    index_.Clear();
    time_index_.Clear();
  }
  const uint64_t scan_from = valid_end_;
  BatchScanner scanner(*reader_, scan_from, info.size,
                       {.verify_crc = true, .max_batch_bytes = options_.max_batch_bytes});
  BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    const auto& h = b.header;
    if (h.base_offset < next_offset_.value() || h.last_offset_delta < 0 ||
        h.last_offset() - base_.value() > INT32_MAX) {
      *problem = Status::Corruption(fmt::format("{}: batch at position {}: offset {} out of order",
                                                log_path_, b.position, h.base_offset));
      break;
    }
    NoteBatch(b.position, h.total_size(), h.last_offset(), h.max_timestamp, nullptr, nullptr);
  }
  if (problem->ok() && scanner.stop() == BatchScanner::Stop::kIoError) return scanner.problem();
  if (problem->ok() && scanner.stop() == BatchScanner::Stop::kCorrupt) *problem = scanner.problem();
  const uint64_t cut = info.size - valid_end_;
  if (cut > 0) {
    KQ_RETURN_IF_ERROR(env_->TruncateFile(log_path_, valid_end_));
  }
  torn_tail_ = false;
  tail_damage_ = Status::Ok();
  // An empty segment with empty index files (a partition's first open) has
  // nothing to rewrite; any other recovered segment gets indexes derived
  // from its batches.
  const bool empty_and_indexed = info.size == 0 && index_file_bytes_ == 0 &&
                                 time_index_file_bytes_ == 0 && !indexes_need_rebuild_;
  if (!empty_and_indexed) KQ_RETURN_IF_ERROR(RewriteIndexFiles());
  return RecoveryScan{scan_from, cut};
}

Result<std::optional<format::BatchHeader>> Segment::BatchEndingAt(uint64_t position,
                                                                  int64_t last_offset,
                                                                  uint64_t log_size) const {
  if (position >= log_size) return std::optional<format::BatchHeader>();
  std::string head;
  KQ_RETURN_IF_ERROR(reader_->Read(position, format::kBatchHeaderSize, &head));
  auto h = format::DecodeBatchHeader(head);
  if (!h.ok() || h->last_offset_delta < 0 || h->last_offset() != last_offset ||
      position + h->total_size() > log_size) {
    return std::optional<format::BatchHeader>();
  }
  return std::optional<format::BatchHeader>(*h);
}

Result<bool> Segment::TimeEntryHolds(const TimeIndexEntry& e, uint64_t log_size) const {
  // The batch holding the entry's offset: found from the offset index (its
  // kept entries already check out) with a header walk of at most
  // index.interval.bytes.
  const int64_t offset = base_.value() + e.relative_offset;
  BatchScanner scanner(*reader_, index_.Lookup(e.relative_offset).position, log_size,
                       {.max_batch_bytes = options_.max_batch_bytes});
  BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    if (b.header.last_offset() < offset) continue;
    // An entry names the last offset of a batch and the largest timestamp up
    // to it, so at least that batch's own; the first batch's is exact.
    if (b.header.last_offset() != offset || e.timestamp < b.header.max_timestamp) return false;
    return b.position > 0 || e.timestamp == b.header.max_timestamp;
  }
  if (scanner.stop() == BatchScanner::Stop::kIoError) return scanner.problem();
  return false;
}

Result<uint64_t> Segment::ResumeAtIndexEntryBelow(Offset durable, uint64_t log_size) {
  const int64_t below = durable - base_;  // relative offsets under this are durable
  // Only what the index files hold is checked here: entries the open's tail
  // scan added after their last one follow whatever the files ended with,
  // and the header scan below derives them again.
  index_.TruncateToSize(index_entries_from_file_);
  time_index_.TruncateToSize(time_entries_from_file_);
  index_.TruncateToRelativeOffset(below);
  // Entries written since the index files were last synced may have reached
  // the disk as zeros or garbage that still increase (a first entry (0, 0)),
  // and only a file's tail is ever damaged that way. So the last kept entry
  // must name a whole batch ending at its offset; one that does not is
  // dropped and the one before it tried, and everything before the first
  // that checks out is the intact part of the file.
  for (int tries = 0; !index_.empty() && tries < kMaxIndexEntriesTried; ++tries) {
    const OffsetIndexEntry e = index_.back();
    KQ_ASSIGN_OR_RETURN(auto h,
                        BatchEndingAt(e.position, base_.value() + e.relative_offset, log_size));
    if (!h) {
      index_.TruncateToRelativeOffset(e.relative_offset);
      continue;
    }
    // The time index the same way, up to the batch the scan resumes after.
    // Its genuine entries below `durable` were synced with the offset
    // index's, so once the junk is gone the last one holds the largest
    // timestamp up to that batch.
    time_index_.TruncateToRelativeOffset(int64_t{e.relative_offset} + 1);
    bool time_index_ok = true;
    for (int t = 0; !time_index_.empty(); ++t) {
      KQ_ASSIGN_OR_RETURN(bool holds, TimeEntryHolds(time_index_.back(), log_size));
      if (holds) break;
      if (t + 1 == kMaxIndexEntriesTried) {
        time_index_ok = false;
        break;
      }
      time_index_.TruncateToRelativeOffset(time_index_.back().relative_offset);
    }
    if (!time_index_ok) break;
    if (!time_index_.empty()) max_timestamp_ = time_index_.back().timestamp;
    NoteBatch(e.position, h->total_size(), h->last_offset(), h->max_timestamp, nullptr, nullptr);
    bytes_since_index_entry_ = 0;  // the batch already has its index entry
    if (first_batch_timestamp_ < 0) {
      std::string head;
      KQ_RETURN_IF_ERROR(reader_->Read(0, format::kBatchHeaderSize, &head));
      if (auto first = format::DecodeBatchHeader(head); first.ok())
        first_batch_timestamp_ = first->max_timestamp;
    }
    return valid_end_;
  }
  // No usable entry: the header scan starts at the segment's beginning.
  index_.Clear();
  time_index_.Clear();
  return uint64_t{0};
}

}  // namespace kq::log
