#include "maint/verifier.h"

#include <algorithm>
#include <limits>
#include <vector>

#include <fmt/format.h>

#include "base/encoding.h"
#include "format/record_batch.h"
#include "log/batch_scanner.h"
#include "log/checkpoint_file.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/offset_index.h"
#include "log/partition_files.h"
#include "log/segment_name.h"
#include "maint/segment_swap.h"

namespace kq::maint {

namespace {

using log::BatchScanner;

class Checker {
 public:
  Checker(const std::string& dir, const VerifyOptions& options,
          const std::function<void(const VerifyProblem&)>& report, VerifyReport* summary)
      : dir_(dir), options_(options), report_(report), summary_(summary), env_(options.env) {}

  Status Run();

 private:
  struct IndexFile {
    std::string path;
    std::vector<log::OffsetIndexEntry> entries;
    std::vector<log::TimeIndexEntry> time_entries;
    size_t next = 0;  // first entry not yet matched
    size_t time_next = 0;
  };

  void Problem(const std::string& file, uint64_t pos, int64_t offset, std::string message,
               bool note = false) {
    if (note) {
      ++summary_->notes;
    } else {
      ++summary_->problems;
    }
    report_({file, pos, offset, std::move(message), note});
  }
  // The parser's message already starts with the path.
  void CheckpointProblem(const std::string& path, const Status& parsed) {
    std::string_view why = parsed.message();
    if (why.starts_with(path + ": ")) why.remove_prefix(path.size() + 2);
    Problem(path, 0, -1, fmt::format("{} (--repair resets it)", why));
  }
  Status CheckSegment(Offset base, bool last);
  Status LoadIndexes(Offset base, uint64_t log_size, IndexFile* index);
  void CheckBatch(const std::string& path, Offset base, const BatchScanner::Batch& b);
  void MatchIndexes(IndexFile* index, Offset base, const BatchScanner::Batch& b);
  void FinishIndexes(IndexFile* index);
  void CheckEpoch(const std::string& path, const BatchScanner::Batch& b);
  Result<bool> TornUnderLock(const std::string& path, uint64_t position);

  std::string dir_;
  const VerifyOptions& options_;
  const std::function<void(const VerifyProblem&)>& report_;
  VerifyReport* summary_;
  io::Env* env_;
  std::vector<log::EpochEntry> epochs_;
  int32_t last_epoch_ = -1;
  int64_t expected_next_ = -1;  // next offset after the last good batch
  int64_t running_max_ts_ = -1;
};

Status Checker::Run() {
  if (!env_->IsDirectory(dir_)) {
    return Status::NotFound(fmt::format("partition {}-{}: directory {} does not exist",
                                        options_.topic, options_.partition, dir_));
  }
  const std::string epoch_path = io::JoinPath(dir_, log::kLeaderEpochCheckpoint);
  auto epochs = log::leader_epoch::Read(env_, epoch_path);
  if (epochs.ok()) {
    epochs_ = std::move(*epochs);
  } else {
    CheckpointProblem(epoch_path, epochs.status());
  }
  for (const char* name : {log::kRecoveryPointCheckpoint, log::kLogStartCheckpoint}) {
    const std::string path = io::JoinPath(dir_, name);
    if (auto entries = log::ReadCheckpoint(env_, path); !entries.ok())
      CheckpointProblem(path, entries.status());
  }
  KQ_ASSIGN_OR_RETURN(std::vector<Offset> bases, log::ListSegmentBases(env_, dir_));
  for (size_t i = 0; i < bases.size(); ++i) {
    KQ_RETURN_IF_ERROR(CheckSegment(bases[i], i + 1 == bases.size()));
  }
  return Status::Ok();
}

Status Checker::LoadIndexes(Offset base, uint64_t log_size, IndexFile* index) {
  const std::string index_path =
      io::JoinPath(dir_, log::MakeSegmentFileName(base, log::SegmentFileKind::kIndex));
  const std::string time_path =
      io::JoinPath(dir_, log::MakeSegmentFileName(base, log::SegmentFileKind::kTimeIndex));
  index->path = index_path;
  for (const std::string& path : {index_path, time_path}) {
    const bool is_time = path == time_path;
    const size_t width = is_time ? log::TimeIndex::kEntrySize : log::OffsetIndex::kEntrySize;
    if (!env_->FileExists(path)) {
      if (log_size > 0)
        Problem(
            path, 0, -1,
            "missing (the log engine rebuilds it when the partition is next opened for writing)",
            true);
      continue;
    }
    KQ_ASSIGN_OR_RETURN(std::string bytes, env_->ReadFileToString(path));
    if (bytes.size() % width != 0) {
      Problem(path, bytes.size() / width * width, -1,
              fmt::format("partial entry of {} bytes at the end", bytes.size() % width));
    }
    for (size_t at = 0; at + width <= bytes.size(); at += width) {
      const char* p = bytes.data() + at;
      if (is_time) {
        log::TimeIndexEntry e{static_cast<int64_t>(DecodeFixed64BE(p)), DecodeFixed32BE(p + 8)};
        if (!index->time_entries.empty() &&
            (e.timestamp <= index->time_entries.back().timestamp ||
             e.relative_offset <= index->time_entries.back().relative_offset)) {
          Problem(path, at, base.value() + e.relative_offset,
                  fmt::format("entry ({}, {}) does not increase", e.timestamp, e.relative_offset));
          continue;
        }
        index->time_entries.push_back(e);
      } else {
        log::OffsetIndexEntry e{DecodeFixed32BE(p), DecodeFixed32BE(p + 4)};
        if (!index->entries.empty() &&
            (e.relative_offset <= index->entries.back().relative_offset ||
             e.position <= index->entries.back().position)) {
          Problem(path, at, base.value() + e.relative_offset,
                  fmt::format("entry ({}, {}) does not increase", e.relative_offset, e.position));
          continue;
        }
        index->entries.push_back(e);
      }
    }
  }
  return Status::Ok();
}

void Checker::CheckEpoch(const std::string& path, const BatchScanner::Batch& b) {
  const int32_t epoch = b.header.partition_leader_epoch;
  const int64_t base = b.header.base_offset;
  if (const log::EpochEntry* covering = log::leader_epoch::CoveringEntry(epochs_, Offset(base))) {
    if (epoch != covering->epoch.value()) {
      Problem(
          path, b.position, base,
          fmt::format("partition leader epoch {} disagrees with leader-epoch-checkpoint (epoch {} "
                      "from offset {}; --repair rewrites it from the batches)",
                      epoch, covering->epoch.value(), covering->start_offset.value()));
      return;  // one bad batch must not make every later one look wrong
    }
  } else if (epoch < -1 || epoch < last_epoch_) {
    Problem(path, b.position, base,
            fmt::format("partition leader epoch {} goes backwards (previous batch: {})", epoch,
                        last_epoch_));
    return;
  }
  last_epoch_ = epoch;
}

void Checker::CheckBatch(const std::string& path, Offset base, const BatchScanner::Batch& b) {
  const format::BatchHeader& h = b.header;
  if (Status s = format::ValidateBatch(b.bytes); !s.ok()) {
    Problem(path, b.position, h.base_offset, s.message());
    // Nothing in it can be trusted, but the framing held: the next batch is
    // checked against where this one claims to end.
    if (h.last_offset_delta >= 0) expected_next_ = std::max(expected_next_, h.next_offset());
    return;
  }
  if (h.base_offset < expected_next_) {
    Problem(path, b.position, h.base_offset,
            fmt::format("offset {} goes backwards (expected at least {})", h.base_offset,
                        expected_next_));
  } else if (options_.expect_contiguous && expected_next_ >= 0 && h.base_offset != expected_next_) {
    Problem(path, b.position, h.base_offset,
            fmt::format("offset {} leaves a gap after {} in a topic that is not compacted",
                        h.base_offset, expected_next_ - 1));
  }
  if (h.base_offset < base.value() ||
      h.last_offset() - base.value() > std::numeric_limits<int32_t>::max()) {
    Problem(path, b.position, h.base_offset,
            fmt::format("offsets {}..{} do not fit a segment based at {}", h.base_offset,
                        h.last_offset(), base.value()));
  }
  CheckEpoch(path, b);
  expected_next_ = std::max(expected_next_, h.next_offset());
}

void Checker::MatchIndexes(IndexFile* index, Offset base, const BatchScanner::Batch& b) {
  const format::BatchHeader& h = b.header;
  running_max_ts_ = std::max(running_max_ts_, h.max_timestamp);
  while (index->next < index->entries.size() &&
         index->entries[index->next].position <= b.position) {
    const log::OffsetIndexEntry& e = index->entries[index->next];
    if (e.position < b.position) {
      Problem(index->path, index->next * log::OffsetIndex::kEntrySize,
              base.value() + e.relative_offset,
              fmt::format("entry points at position {}, which is not the start of a batch",
                          e.position));
    } else if (base.value() + e.relative_offset != h.last_offset()) {
      Problem(
          index->path, index->next * log::OffsetIndex::kEntrySize, base.value() + e.relative_offset,
          fmt::format("entry names offset {} for the batch at position {}, which ends at offset {}",
                      base.value() + e.relative_offset, e.position, h.last_offset()));
    }
    ++index->next;
  }
  const std::string time_path = index->path.substr(0, index->path.size() - 6) + ".timeindex";
  while (index->time_next < index->time_entries.size() &&
         base.value() + index->time_entries[index->time_next].relative_offset <= h.last_offset()) {
    const log::TimeIndexEntry& e = index->time_entries[index->time_next];
    if (base.value() + e.relative_offset != h.last_offset() || e.timestamp != running_max_ts_) {
      Problem(time_path, index->time_next * log::TimeIndex::kEntrySize,
              base.value() + e.relative_offset,
              fmt::format(
                  "entry ({}, {}) disagrees with the log: the batch holding offset {} ends at {} "
                  "with largest timestamp so far {}",
                  e.timestamp, e.relative_offset, base.value() + e.relative_offset, h.last_offset(),
                  running_max_ts_));
    }
    ++index->time_next;
  }
}

void Checker::FinishIndexes(IndexFile* index) {
  for (; index->next < index->entries.size(); ++index->next) {
    const auto& e = index->entries[index->next];
    Problem(index->path, index->next * log::OffsetIndex::kEntrySize, -1,
            fmt::format("entry points at position {}, past the last batch", e.position));
  }
  const std::string time_path = index->path.substr(0, index->path.size() - 6) + ".timeindex";
  for (; index->time_next < index->time_entries.size(); ++index->time_next) {
    const auto& e = index->time_entries[index->time_next];
    Problem(time_path, index->time_next * log::TimeIndex::kEntrySize, -1,
            fmt::format("entry names relative offset {}, past the last batch", e.relative_offset));
  }
}

Result<bool> Checker::TornUnderLock(const std::string& path, uint64_t position) {
  // Holding the writers' lock, no append is in flight: what is torn now
  // stays torn.
  KQ_ASSIGN_OR_RETURN(auto lock, env_->LockFile(PartitionLockPath(dir_), io::LockWait::kBlock));
  KQ_ASSIGN_OR_RETURN(auto file, env_->OpenRandomAccess(path));
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, file->Stat());
  BatchScanner scanner(*file, position, info.size, {.max_batch_bytes = options_.max_batch_bytes});
  BatchScanner::Batch b;
  while (scanner.Next(&b)) {
  }
  return scanner.stop() == BatchScanner::Stop::kTorn;
}

Status Checker::CheckSegment(Offset base, bool last) {
  const std::string path =
      io::JoinPath(dir_, log::MakeSegmentFileName(base, log::SegmentFileKind::kLog));
  auto file = env_->OpenRandomAccess(path);
  if (!file.ok()) {
    if (file.status().IsNotFound()) return Status::Ok();  // removed meanwhile
    return file.status();
  }
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, (*file)->Stat());
  ++summary_->segments;
  if (expected_next_ > base.value()) {
    Problem(
        path, 0, base.value(),
        fmt::format("segment starts at offset {}, inside the previous segment (which ends at {})",
                    base.value(), expected_next_ - 1));
  } else if (options_.expect_contiguous && expected_next_ >= 0 && expected_next_ != base.value()) {
    Problem(path, 0, base.value(),
            fmt::format("segment starts at offset {}, leaving a gap after {}", base.value(),
                        expected_next_ - 1));
  }
  expected_next_ = std::max(expected_next_, base.value());
  running_max_ts_ = -1;
  IndexFile index;
  KQ_RETURN_IF_ERROR(LoadIndexes(base, info.size, &index));
  BatchScanner scanner(**file, 0, info.size,
                       {.load_bytes = true, .max_batch_bytes = options_.max_batch_bytes});
  BatchScanner::Batch b;
  uint64_t progress_mark = 0;
  while (scanner.Next(&b)) {
    ++summary_->batches;
    summary_->bytes += b.header.total_size();
    CheckBatch(path, base, b);
    MatchIndexes(&index, base, b);
    if (options_.progress && summary_->bytes - progress_mark > (uint64_t{4} << 20)) {
      options_.progress(summary_->bytes);
      progress_mark = summary_->bytes;
    }
  }
  // Entries past a damaged spot say nothing more about the damage.
  if (scanner.stop() == BatchScanner::Stop::kEnd) FinishIndexes(&index);
  switch (scanner.stop()) {
    case BatchScanner::Stop::kIoError:
      return scanner.problem();
    case BatchScanner::Stop::kCorrupt: {
      std::string msg = scanner.problem().message();
      // The scanner's message starts with "<path>: batch at position N: ".
      if (auto at = msg.find(": batch at position "); at != std::string::npos) {
        if (auto colon = msg.find(": ", at + 2); colon != std::string::npos)
          msg = msg.substr(colon + 2);
      }
      Problem(path, scanner.position(), expected_next_,
              fmt::format("{}; the rest of the segment ({} bytes) cannot be read", msg,
                          info.size - scanner.position()));
      break;
    }
    case BatchScanner::Stop::kTorn: {
      bool torn = true;
      if (last) {
        KQ_ASSIGN_OR_RETURN(torn, TornUnderLock(path, scanner.position()));
      }
      if (torn) {
        Problem(path, scanner.position(), expected_next_,
                fmt::format("{} ({} bytes): a crashed writer left it; --repair truncates it",
                            last ? "incomplete batch at the end"
                                 : "sealed segment ends in an incomplete batch",
                            info.size - scanner.position()));
      }
      break;
    }
    default:
      break;
  }
  return Status::Ok();
}

}  // namespace

Status VerifyPartition(const std::string& dir, const VerifyOptions& options,
                       const std::function<void(const VerifyProblem&)>& report,
                       VerifyReport* summary) {
  if (options.env == nullptr) return Status::InvalidArgument("VerifyOptions.env is not set");
  Checker checker(dir, options, report, summary);
  return checker.Run();
}

}  // namespace kq::maint
