#include "maint/compactor.h"

#include <algorithm>
#include <limits>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "format/record.h"
#include "log/batch_scanner.h"
#include "log/offset_index.h"
#include "log/partition.h"
#include "maint/cleaned_segment.h"
#include "maint/key_map.h"

namespace kq::maint {

namespace {

struct SourceSegment {
  Offset base;
  Offset next;
  uint64_t size = 0;
  int64_t max_timestamp = -1;
  std::string log_path;
};

constexpr uint64_t kProgressEvery = uint64_t{4} << 20;

class Cleaner {
 public:
  Cleaner(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
          const CompactOptions& options, CompactStats* stats)
      : log_dir_(dir),
        topic_(topic),
        partition_(partition),
        config_(topic.config),
        dir_(dir.PartitionPath(topic.name, partition)),
        options_(options),
        stats_(stats),
        env_(dir.env()),
        map_(options.max_memory) {}

  Status Run();

 private:
  std::string Name() const { return fmt::format("{}-{}", topic_.name, partition_); }
  Result<std::vector<SourceSegment>> LoadCleanable();
  Result<Offset> BuildMap(const std::vector<SourceSegment>& segs, Offset map_start);
  Status MapSegment(const SourceSegment& s, Offset map_start, Offset* stopped_at);
  Status CleanRange(const std::vector<SourceSegment>& segs, Offset map_end);
  Status CleanInto(const SourceSegment& s, BatchFilter* filter, CleanedSegment* out,
                   FilterStats* stats);
  Status FinishGroup(CleanedSegment* out, const std::vector<SwapSource>& sources);
  Result<std::unique_ptr<CleanedSegment>> NewOutput(Offset base);
  void NoteRead(uint64_t bytes);
  Status ScanFailed(const log::BatchScanner& scanner, const SourceSegment& s) const;

  const log::LogDir& log_dir_;
  const log::TopicInfo& topic_;
  PartitionId partition_;
  const log::TopicConfig& config_;
  std::string dir_;  // the partition's folder
  const CompactOptions& options_;
  CompactStats* stats_;
  io::Env* env_;
  KeyMap map_;
  int64_t now_ = 0;
  std::string scratch_;
  std::vector<std::pair<KeyHash, int64_t>> hashes_;
  std::string rebuilt_;
  uint64_t bytes_read_ = 0;
  uint64_t progress_at_ = 0;
  // Per pass: what the cleaned range looks like afterwards.
  int pass_segments_after_ = 0;
  uint64_t pass_bytes_after_ = 0;
};

void Cleaner::NoteRead(uint64_t bytes) {
  bytes_read_ += bytes;
  if (options_.progress && bytes_read_ >= progress_at_) {
    options_.progress(bytes_read_);
    progress_at_ = bytes_read_ + kProgressEvery;
  }
}

Status Cleaner::ScanFailed(const log::BatchScanner& scanner, const SourceSegment& s) const {
  if (scanner.stop() == log::BatchScanner::Stop::kEnd) return Status::Ok();
  if (!scanner.problem().ok()) {
    return scanner.problem().WithPrefix(
        fmt::format("partition {}: not cleaned (see kq-compact --verify)", Name()));
  }
  return Status::Corruption(fmt::format(
      "partition {}: {}: sealed segment ends in an incomplete batch at position {}; not cleaned "
      "(see kq-compact --verify and --repair)",
      Name(), s.log_path, scanner.position()));
}

Result<std::vector<SourceSegment>> Cleaner::LoadCleanable() {
  KQ_ASSIGN_OR_RETURN(auto p, log_dir_.OpenPartition(topic_, partition_, log::OpenMode::kRead));
  std::vector<log::SegmentInfo> infos = p->Segments();
  std::vector<SourceSegment> out;
  const int64_t lag = config_.min_compaction_lag_ms;
  for (const log::SegmentInfo& info : infos) {
    if (info.active) break;  // never the active segment
    if (lag > 0 && info.max_timestamp > now_ - lag) break;
    KQ_ASSIGN_OR_RETURN(uint64_t file_size, env_->FileSize(info.log_path));
    if (file_size != info.size_bytes) {
      return Status::Corruption(fmt::format(
          "partition {}: {}: {} bytes past the last whole batch at position {}; not cleaned "
          "(see kq-compact --verify and --repair)",
          Name(), info.log_path, file_size - info.size_bytes, info.size_bytes));
    }
    out.push_back(
        {info.base_offset, info.next_offset, info.size_bytes, info.max_timestamp, info.log_path});
  }
  return out;
}

Status Cleaner::MapSegment(const SourceSegment& s, Offset map_start, Offset* stopped_at) {
  KQ_ASSIGN_OR_RETURN(auto file, env_->OpenRandomAccess(s.log_path));
  log::BatchScanner scanner(*file, 0, s.size, {.verify_crc = true});
  log::BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    const format::BatchHeader& h = b.header;
    NoteRead(h.total_size());
    if (h.base_offset < map_start.value() || h.is_control()) continue;
    if (!map_.HasRoomFor(static_cast<size_t>(std::max(h.records_count, 0)))) {
      if (map_.size() == 0) {
        return Status::InvalidArgument(fmt::format(
            "partition {}: --max-memory is too small for the {} records of the batch at offset {} "
            "(the map holds {} keys)",
            Name(), h.records_count, h.base_offset, map_.max_keys()));
      }
      *stopped_at = Offset(h.base_offset);
      return Status::Ok();
    }
    hashes_.clear();
    KQ_RETURN_IF_ERROR(format::ForEachRecord(b.bytes, &scratch_,
                                             [&](const format::RecordView& r) {
                                               if (r.key)
                                                 hashes_.push_back({HashKey(*r.key), r.offset});
                                               return Status::Ok();
                                             })
                           .WithPrefix(fmt::format("partition {}: {}: batch at position {}", Name(),
                                                   s.log_path, b.position)));
    // Prefetching a few slots ahead hides the cache misses of a big map.
    constexpr size_t kAhead = 8;
    for (size_t i = 0; i < std::min(kAhead, hashes_.size()); ++i) map_.Prefetch(hashes_[i].first);
    for (size_t i = 0; i < hashes_.size(); ++i) {
      if (i + kAhead < hashes_.size()) map_.Prefetch(hashes_[i + kAhead].first);
      map_.Put(hashes_[i].first, hashes_[i].second);
    }
  }
  return ScanFailed(scanner, s);
}

Result<Offset> Cleaner::BuildMap(const std::vector<SourceSegment>& segs, Offset map_start) {
  map_.Clear();
  for (const SourceSegment& s : segs) {
    if (s.next <= map_start) continue;
    Offset stopped_at{-1};
    KQ_RETURN_IF_ERROR(MapSegment(s, map_start, &stopped_at));
    if (stopped_at.value() >= 0) return stopped_at;
  }
  return segs.back().next;
}

Result<std::unique_ptr<CleanedSegment>> Cleaner::NewOutput(Offset base) {
  return CleanedSegment::Create(
      env_, dir_, base, static_cast<uint32_t>(config_.index_interval_bytes), options_.dry_run);
}

Status Cleaner::CleanInto(const SourceSegment& s, BatchFilter* filter, CleanedSegment* out,
                          FilterStats* stats) {
  KQ_ASSIGN_OR_RETURN(auto file, env_->OpenRandomAccess(s.log_path));
  log::BatchScanner scanner(*file, 0, s.size, {.verify_crc = true});
  log::BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    const format::BatchHeader& h = b.header;
    NoteRead(h.total_size());
    const bool last = h.next_offset() == s.next.value();
    KQ_ASSIGN_OR_RETURN(FilterOutcome outcome, filter->Filter(b.bytes, h, last, &rebuilt_, stats));
    switch (outcome) {
      case FilterOutcome::kKept:
        KQ_RETURN_IF_ERROR(out->Append(b.bytes, h.last_offset(), h.max_timestamp));
        break;
      case FilterOutcome::kRewritten: {
        KQ_ASSIGN_OR_RETURN(format::BatchHeader nh, format::DecodeBatchHeader(rebuilt_));
        KQ_RETURN_IF_ERROR(out->Append(rebuilt_, nh.last_offset(), nh.max_timestamp));
        out->NoteChange();
        break;
      }
      case FilterOutcome::kDropped:
        out->NoteChange();
        break;
    }
  }
  return ScanFailed(scanner, s);
}

Status Cleaner::FinishGroup(CleanedSegment* out, const std::vector<SwapSource>& sources) {
  ++pass_segments_after_;
  pass_bytes_after_ += out->size();
  if (sources.size() == 1 && !out->changed()) return out->Abort();  // nothing to replace
  Status s = out->Finish();
  if (s.ok() && !options_.dry_run) {
    s = SwapInCleaned(env_, dir_, Name(), sources, options_.swap_hook);
  }
  if (!s.ok()) {
    (void)out->Abort();
    return s;
  }
  return Status::Ok();
}

Status Cleaner::CleanRange(const std::vector<SourceSegment>& segs, Offset map_end) {
  BatchFilter filter({&map_, map_end.value(), now_, config_.delete_retention_ms});
  const uint64_t max_bytes = static_cast<uint64_t>(config_.segment_bytes);
  const auto index_bytes = static_cast<size_t>(config_.segment_index_bytes);
  const size_t max_index = index_bytes / log::OffsetIndex::kEntrySize;
  const size_t max_time_index = index_bytes / log::TimeIndex::kEntrySize;
  std::unique_ptr<CleanedSegment> out;
  std::vector<SwapSource> sources;
  pass_segments_after_ = 0;
  pass_bytes_after_ = 0;
  for (const SourceSegment& s : segs) {
    if (s.base >= map_end) {
      // Not reached by this pass's map: left as it is.
      ++pass_segments_after_;
      pass_bytes_after_ += s.size;
      continue;
    }
    FilterStats seg_stats;
    if (out && s.next - out->base_offset() - 1 > std::numeric_limits<int32_t>::max()) {
      KQ_RETURN_IF_ERROR(FinishGroup(out.get(), sources));
      out.reset();
      sources.clear();
    }
    if (out) {
      // Try merging S into the current output; take it back when the
      // result is too big, and start a new output with it.
      const CleanedSegment::Mark mark = out->GetMark();
      KQ_RETURN_IF_ERROR(CleanInto(s, &filter, out.get(), &seg_stats));
      if (out->size() > max_bytes || out->index_entries() > max_index ||
          out->time_index_entries() > max_time_index) {
        KQ_RETURN_IF_ERROR(out->Rollback(mark));
        KQ_RETURN_IF_ERROR(FinishGroup(out.get(), sources));
        out.reset();
        sources.clear();
        seg_stats = FilterStats{};
      }
    }
    if (!out) {
      KQ_ASSIGN_OR_RETURN(out, NewOutput(s.base));
      KQ_RETURN_IF_ERROR(CleanInto(s, &filter, out.get(), &seg_stats));
    }
    sources.push_back({s.base, s.size});
    stats_->filter.Add(seg_stats);
  }
  if (out) KQ_RETURN_IF_ERROR(FinishGroup(out.get(), sources));
  return Status::Ok();
}

Status Cleaner::Run() {
  now_ = env_->NowMs();
  std::unique_ptr<io::FileLock> cleaner_lock;
  if (!options_.dry_run) {
    auto lock = env_->LockFile(CleanerLockPath(dir_), io::LockWait::kTry);
    if (!lock.ok()) {
      if (lock.status().IsBusy()) {
        return Status::Busy(fmt::format("another kq-compact is cleaning {}", Name()));
      }
      return lock.status();
    }
    cleaner_lock = std::move(*lock);
    KQ_ASSIGN_OR_RETURN(stats_->stale_files_removed, RemoveStaleFiles(env_, dir_));
  }
  Offset map_start{-1};
  Offset range_end{-1};
  while (true) {
    KQ_ASSIGN_OR_RETURN(std::vector<SourceSegment> segs, LoadCleanable());
    // Segments sealed by writers after the first pass wait for the next run.
    if (range_end.value() >= 0) {
      while (!segs.empty() && segs.back().base >= range_end) segs.pop_back();
    }
    if (segs.empty()) break;
    if (stats_->passes == 0) {
      range_end = segs.back().next;
      stats_->segments_before = static_cast<int>(segs.size());
      for (const auto& s : segs) stats_->bytes_before += s.size;
      stats_->segments_after = stats_->segments_before;
      stats_->bytes_after = stats_->bytes_before;
    }
    map_start = std::max(map_start, segs.front().base);
    if (map_start >= segs.back().next) break;
    KQ_ASSIGN_OR_RETURN(Offset map_end, BuildMap(segs, map_start));
    stats_->map_keys = std::max<int64_t>(stats_->map_keys, static_cast<int64_t>(map_.size()));
    ++stats_->passes;
    KQ_RETURN_IF_ERROR(CleanRange(segs, map_end));
    stats_->segments_after = pass_segments_after_;
    stats_->bytes_after = pass_bytes_after_;
    map_start = map_end;
    if (map_end >= segs.back().next) break;
    if (options_.dry_run) {
      stats_->partial = true;
      break;
    }
  }
  if (options_.progress) options_.progress(bytes_read_);
  return Status::Ok();
}

}  // namespace

Status CompactPartition(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
                        const CompactOptions& options, CompactStats* stats) {
  KQ_RETURN_IF_ERROR(log::LogDir::CheckPartition(topic, partition));
  Cleaner cleaner(dir, topic, partition, options, stats);
  return cleaner.Run();
}

}  // namespace kq::maint
