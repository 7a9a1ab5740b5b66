#include "maint/repair.h"

#include <algorithm>
#include <functional>
#include <memory>

#include <fmt/format.h>

#include "log/batch_scanner.h"
#include "log/checkpoint_file.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition.h"
#include "log/partition_files.h"
#include "log/segment.h"
#include "log/segment_name.h"
#include "maint/segment_swap.h"

namespace kq::maint {

namespace {

struct Damage {
  bool found = false;
  bool torn = false;  // an incomplete batch at the end of the file
  uint64_t position = 0;
  int64_t offset = -1;  // expected offset at the damage
  std::string message;
};

// Scans a whole segment with CRCs; *next_offset follows the good batches,
// and `on_batch` sees each of them.
Result<Damage> ScanSegment(io::Env* env, const std::string& path, size_t max_batch_bytes,
                           int64_t* next_offset,
                           const std::function<void(const format::BatchHeader&)>& on_batch) {
  KQ_ASSIGN_OR_RETURN(auto file, env->OpenRandomAccess(path));
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, file->Stat());
  log::BatchScanner scanner(*file, 0, info.size,
                            {.verify_crc = true, .max_batch_bytes = max_batch_bytes});
  log::BatchScanner::Batch b;
  Damage d;
  while (scanner.Next(&b)) {
    if (b.header.base_offset < *next_offset || b.header.last_offset_delta < 0) {
      d = {true, false, b.position, *next_offset,
           fmt::format("{}: batch at position {}: offset {} goes backwards (expected at least {})",
                       path, b.position, b.header.base_offset, *next_offset)};
      return d;
    }
    *next_offset = b.header.next_offset();
    on_batch(b.header);
  }
  switch (scanner.stop()) {
    case log::BatchScanner::Stop::kIoError:
      return scanner.problem();
    case log::BatchScanner::Stop::kCorrupt:
      // A batch whose header decoded is named with its offset by the
      // scanner; a broken frame is not, so say which offset was due there.
      d = {true, false, scanner.position(), *next_offset, scanner.problem().message()};
      if (d.message.find("(offset ") == std::string::npos) {
        d.message += fmt::format(" (offset {} expected)", *next_offset);
      }
      break;
    case log::BatchScanner::Stop::kTorn:
      d = {true, true, scanner.position(), *next_offset,
           fmt::format("{}: incomplete batch at position {} ({} bytes, offset {})", path,
                       scanner.position(), info.size - scanner.position(), *next_offset)};
      break;
    default:
      break;
  }
  return d;
}

// A checkpoint's parse result that says its text is damaged (a bad version
// counts: no kq writes another).
bool Unreadable(const Status& parsed) {
  return parsed.IsCorruption() || parsed.code() == Status::Code::kNotSupported;
}

class Repairer {
 public:
  Repairer(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
           const RepairOptions& options, RepairReport* report)
      : log_dir_(dir),
        topic_(topic),
        partition_(partition),
        dir_(dir.PartitionPath(topic.name, partition)),
        options_(options),
        report_(report),
        env_(dir.env()) {}

  Status Run();

 private:
  std::string Name() const { return fmt::format("{}-{}", topic_.name, partition_); }
  Result<std::unique_ptr<log::Segment>> OpenSegment(Offset base) {
    return log::Segment::Open(
        env_, dir_, base,
        {static_cast<uint32_t>(topic_.config.index_interval_bytes), options_.max_batch_bytes});
  }
  Status RepairLocked(bool* left_damage);
  Status RepairCheckpoints();
  // Rebuilds the leader epochs from the batches (as Kafka's recovery does)
  // and notes whether the checkpoint on disk disagrees with one of them.
  void NoteEpoch(const format::BatchHeader& h);
  Status Cut(const std::vector<Offset>& bases, size_t i, const Damage& d);

  const log::LogDir& log_dir_;
  const log::TopicInfo& topic_;
  PartitionId partition_;
  std::string dir_;  // the partition's folder
  const RepairOptions& options_;
  RepairReport* report_;
  io::Env* env_;
  Result<std::vector<log::EpochEntry>> epochs_on_disk_{std::vector<log::EpochEntry>{}};
  std::vector<log::EpochEntry> epochs_from_batches_;
  int64_t epoch_disagrees_at_ = -1;  // first offset where they differ
};

void Repairer::NoteEpoch(const format::BatchHeader& h) {
  if (h.partition_leader_epoch < 0) return;
  const Epoch epoch(h.partition_leader_epoch);
  const Offset base(h.base_offset);
  log::leader_epoch::Assign(&epochs_from_batches_, epoch, base);
  if (epoch_disagrees_at_ >= 0 || !epochs_on_disk_.ok()) return;
  const log::EpochEntry* covering = log::leader_epoch::CoveringEntry(*epochs_on_disk_, base);
  if (covering != nullptr && covering->epoch != epoch) epoch_disagrees_at_ = base.value();
}

Status Repairer::Cut(const std::vector<Offset>& bases, size_t i, const Damage& d) {
  // Learn how far the log went (headers only) to say what is dropped.
  int64_t last = d.offset - 1;
  uint64_t dropped = 0;
  for (size_t j = i; j < bases.size(); ++j) {
    KQ_ASSIGN_OR_RETURN(auto seg, OpenSegment(bases[j]));
    KQ_ASSIGN_OR_RETURN(io::FileInfo info, seg->StatLog());
    last = std::max(last, seg->next_offset().value() - 1);
    dropped += j == i ? info.size - d.position : info.size;
  }
  // Later segments go first, newest first, and their removal is made durable
  // before the damaged one is cut: were the cut to reach the disk without
  // the removals, a crash would bring the later segments back behind a gap
  // that no longer looks like damage. The other way round, a crash leaves the
  // damage in place, and the next repair finds and cuts it again.
  for (size_t j = bases.size(); j-- > i + 1;) {
    KQ_ASSIGN_OR_RETURN(auto later, OpenSegment(bases[j]));
    KQ_RETURN_IF_ERROR(later->Remove());
    ++report_->segments_removed;
  }
  KQ_RETURN_IF_ERROR(env_->SyncDir(dir_));
  KQ_ASSIGN_OR_RETURN(auto seg, OpenSegment(bases[i]));
  KQ_RETURN_IF_ERROR(seg->TruncateAtPosition(d.position));
  report_->cut = true;
  report_->cut_from_offset = d.offset;
  report_->cut_to_offset = last;
  report_->cut_bytes = dropped;
  report_->actions.push_back(fmt::format(
      "cut at {} position {}: dropped offsets {}..{} ({} bytes, {} later segment(s) removed)",
      seg->log_path(), d.position, d.offset, last, dropped, report_->segments_removed));
  return Status::Ok();
}

Status Repairer::RepairLocked(bool* left_damage) {
  epochs_on_disk_ = log::leader_epoch::Read(env_, io::JoinPath(dir_, log::kLeaderEpochCheckpoint));
  KQ_ASSIGN_OR_RETURN(report_->stale_files_removed, RemoveStaleFiles(env_, dir_));
  if (report_->stale_files_removed > 0) {
    report_->actions.push_back(fmt::format("removed {} file(s) left by an interrupted kq-compact",
                                           report_->stale_files_removed));
  }
  KQ_ASSIGN_OR_RETURN(std::vector<Offset> bases, log::ListSegmentBases(env_, dir_));
  int64_t next = -1;
  for (size_t i = 0; i < bases.size(); ++i) {
    const std::string path =
        io::JoinPath(dir_, log::MakeSegmentFileName(bases[i], log::SegmentFileKind::kLog));
    next = std::max(next, bases[i].value());
    KQ_ASSIGN_OR_RETURN(Damage d,
                        ScanSegment(env_, path, options_.max_batch_bytes, &next,
                                    [this](const format::BatchHeader& h) { NoteEpoch(h); }));
    const bool last = i + 1 == bases.size();
    if (d.found && d.torn && last) {
      KQ_ASSIGN_OR_RETURN(auto seg, OpenSegment(bases[i]));
      KQ_ASSIGN_OR_RETURN(io::FileInfo info, seg->StatLog());
      KQ_RETURN_IF_ERROR(seg->TruncateAtPosition(d.position));
      report_->torn_bytes_truncated += info.size - d.position;
      report_->actions.push_back(
          fmt::format("truncated an incomplete batch of {} bytes at {} position {} (offset {})",
                      info.size - d.position, path, d.position, d.offset));
      ++report_->indexes_rebuilt;
      continue;
    }
    if (d.found) {
      report_->damage_found = true;
      // Each kind of damage names its offset once in its own message.
      report_->damage = d.message;
      if (!options_.truncate_corrupt) {
        *left_damage = true;
        return Status::Ok();
      }
      return Cut(bases, i, d);
    }
    KQ_ASSIGN_OR_RETURN(auto seg, OpenSegment(bases[i]));
    KQ_RETURN_IF_ERROR(seg->RebuildIndexes());
    ++report_->indexes_rebuilt;
  }
  return Status::Ok();
}

// A checkpoint that does not parse keeps the partition from opening for
// writing. Called once the log is known clean, so what each one held can be
// re-derived or safely forgotten:
//  - recovery point: removed; the open below validates the whole log with
//    CRCs (nothing to cut: the scan has just found it clean) and writes it;
//  - leader epochs: rewritten from the batches (also when the file parses
//    but disagrees with them);
//  - log start: set to the first segment's base offset. A trim point inside
//    that segment is lost with it, and the report says so.
Status Repairer::RepairCheckpoints() {
  const std::string recovery_path = io::JoinPath(dir_, log::kRecoveryPointCheckpoint);
  const Status recovery_parsed = log::ReadCheckpoint(env_, recovery_path).status();
  if (Unreadable(recovery_parsed)) {
    KQ_RETURN_IF_ERROR(env_->RemoveFile(recovery_path));
    report_->actions.push_back(fmt::format("removed a damaged {} ({}); it is written anew",
                                           log::kRecoveryPointCheckpoint,
                                           recovery_parsed.message()));
  } else {
    KQ_RETURN_IF_ERROR(recovery_parsed);
  }
  const std::string epoch_path = io::JoinPath(dir_, log::kLeaderEpochCheckpoint);
  if (Unreadable(epochs_on_disk_.status()) || epoch_disagrees_at_ >= 0) {
    KQ_RETURN_IF_ERROR(log::leader_epoch::Write(env_, epoch_path, epochs_from_batches_));
    report_->actions.push_back(fmt::format(
        "rewrote {} from the batches' leader epochs ({})", log::kLeaderEpochCheckpoint,
        epochs_on_disk_.ok()
            ? fmt::format("it disagreed with the batch at offset {}", epoch_disagrees_at_)
            : epochs_on_disk_.status().message()));
  } else {
    KQ_RETURN_IF_ERROR(epochs_on_disk_.status());
  }
  const std::string path = io::JoinPath(dir_, log::kLogStartCheckpoint);
  const Status parsed = log::ReadCheckpoint(env_, path).status();
  if (!Unreadable(parsed)) return parsed;
  KQ_ASSIGN_OR_RETURN(std::vector<Offset> bases, log::ListSegmentBases(env_, dir_));
  const Offset first = bases.empty() ? Offset(0) : bases.front();
  KQ_RETURN_IF_ERROR(
      log::WriteCheckpoint(env_, path, {log::CheckpointEntry{topic_.name, partition_, first}}));
  report_->actions.push_back(fmt::format(
      "reset a damaged {} ({}) to {}, the first segment's base offset: records below an earlier "
      "trim point in that segment are readable again",
      log::kLogStartCheckpoint, parsed.message(), first.value()));
  return Status::Ok();
}

Status Repairer::Run() {
  if (!env_->IsDirectory(dir_)) {
    return Status::NotFound(fmt::format("partition {}: directory {} does not exist", Name(), dir_));
  }
  auto cleaner = env_->LockFile(CleanerLockPath(dir_), io::LockWait::kTry);
  if (!cleaner.ok()) {
    if (cleaner.status().IsBusy())
      return Status::Busy(fmt::format("another kq-compact is cleaning {}", Name()));
    return cleaner.status();
  }
  bool left_damage = false;
  {
    KQ_ASSIGN_OR_RETURN(auto lock, env_->LockFile(PartitionLockPath(dir_), io::LockWait::kBlock));
    KQ_RETURN_IF_ERROR(RepairLocked(&left_damage));
    if (!left_damage) KQ_RETURN_IF_ERROR(RepairCheckpoints());
  }
  if (report_->indexes_rebuilt > 0) {
    report_->actions.push_back(
        fmt::format("rebuilt the indexes of {} segment(s)", report_->indexes_rebuilt));
  }
  if (left_damage) {
    return Status::Corruption(
        fmt::format("partition {}: {}; left as it is (--truncate-corrupt cuts the partition there)",
                    Name(), report_->damage));
  }
  // Let the engine align its checkpoints with what is left.
  KQ_ASSIGN_OR_RETURN(auto p, log_dir_.OpenPartition(topic_, partition_, log::OpenMode::kWrite));
  return p->Close();
}

}  // namespace

Status RepairPartition(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
                       const RepairOptions& options, RepairReport* report) {
  KQ_RETURN_IF_ERROR(log::LogDir::CheckPartition(topic, partition));
  Repairer repairer(dir, topic, partition, options, report);
  return repairer.Run();
}

}  // namespace kq::maint
