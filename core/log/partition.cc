#include "log/partition.h"

#include <algorithm>
#include <atomic>
#include <functional>

#include <fmt/format.h>

#include "base/encoding.h"
#include "format/record.h"
#include "log/batch_scanner.h"
#include "log/checkpoint_file.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition_files.h"
#include "log/segment.h"
#include "log/segment_name.h"

namespace kq::log {

PartitionOptions PartitionOptionsFor(io::Env* env, std::string topic, PartitionId partition,
                                     const TopicConfig& config) {
  PartitionOptions o;
  o.env = env;
  o.topic = std::move(topic);
  o.partition = partition;
  o.segment_bytes = static_cast<uint64_t>(config.segment_bytes);
  o.segment_ms = config.segment_ms;
  o.index_interval_bytes = static_cast<uint32_t>(config.index_interval_bytes);
  o.segment_index_bytes = static_cast<uint64_t>(config.segment_index_bytes);
  o.flush = config.flush.kind;
  return o;
}

namespace {
// Tells the Partition objects of a process apart for SyncJob::owner (an
// address could be reused by an object opened after one was destroyed).
std::atomic<uint64_t> next_instance{1};
}  // namespace

Partition::Partition(std::string dir, PartitionOptions options, OpenMode mode)
    : dir_(std::move(dir)),
      options_(std::move(options)),
      mode_(mode),
      instance_(next_instance.fetch_add(1, std::memory_order_relaxed)) {}

Partition::~Partition() = default;

std::string Partition::Name() const {
  return options_.topic.empty() ? dir_ : fmt::format("{}-{}", options_.topic, options_.partition);
}

std::string Partition::PathOf(const char* name) const { return io::JoinPath(dir_, name); }

Result<std::unique_ptr<io::FileLock>> Partition::LockPartition() {
  return options_.env->LockFile(PathOf(kPartitionLockFile), io::LockWait::kBlock);
}

Result<std::unique_ptr<Partition>> Partition::Open(const std::string& dir,
                                                   const PartitionOptions& options, OpenMode mode) {
  if (options.env == nullptr) return Status::InvalidArgument("PartitionOptions.env is not set");
  std::unique_ptr<Partition> p(new Partition(dir, options, mode));
  io::Env* env = options.env;
  if (mode == OpenMode::kRead) {
    if (!env->IsDirectory(dir)) {
      return Status::NotFound(
          fmt::format("partition {}: directory {} does not exist", p->Name(), dir));
    }
    KQ_RETURN_IF_ERROR(p->LoadSegments());
    KQ_RETURN_IF_ERROR(p->LoadLogStart());
    return p;
  }
  KQ_RETURN_IF_ERROR(env->CreateDir(dir));
  KQ_ASSIGN_OR_RETURN(auto lock, p->LockPartition());
  KQ_RETURN_IF_ERROR(p->LoadSegments());
  KQ_RETURN_IF_ERROR(p->LoadLogStart());
  KQ_ASSIGN_OR_RETURN(Offset recovery_point,
                      p->ReadOffsetCheckpoint(kRecoveryPointCheckpoint, Offset(0)));
  KQ_RETURN_IF_ERROR(p->Recover(recovery_point));
  KQ_RETURN_IF_ERROR(p->LoadLeaderEpoch());
  return p;
}

// --- loading ---------------------------------------------------------------

Status Partition::LoadSegments() {
  io::Env* env = options_.env;
  // Files with transient suffixes (.cleaned, .swap, .deleted) belong to
  // kq-compact, which cleans them up itself.
  KQ_ASSIGN_OR_RETURN(std::vector<Offset> bases, ListSegmentBases(env, dir_));
  // Built aside: a failure half way (out of descriptors) keeps the old view
  // rather than a partial one that would take a middle segment for the tail.
  std::vector<std::unique_ptr<Segment>> loaded;
  const SegmentOptions seg_options{options_.index_interval_bytes, options_.max_batch_bytes};
  for (Offset base : bases) {
    auto seg = Segment::Open(env, dir_, base, seg_options);
    if (!seg.ok()) {
      // Removed by retention or compaction between listing and opening.
      if (seg.status().IsNotFound()) continue;
      return seg.status();
    }
    // A segment that starts inside the previous one was superseded by a
    // compaction that merged it and stopped before removing it.
    if (!loaded.empty() && loaded.back()->next_offset() > base) {
      if (mode_ == OpenMode::kWrite) KQ_RETURN_IF_ERROR((*seg)->Remove());
      continue;
    }
    loaded.push_back(std::move(*seg));
  }
  if (loaded.empty() && mode_ == OpenMode::kWrite) {
    KQ_ASSIGN_OR_RETURN(Offset start, ReadOffsetCheckpoint(kLogStartCheckpoint, Offset(0)));
    KQ_ASSIGN_OR_RETURN(auto seg, Segment::Create(env, dir_, start, seg_options));
    loaded.push_back(std::move(seg));
    // Under the flush policy os a crash may take the new files away again;
    // the next open creates them as this one did.
    if (syncs_metadata()) KQ_RETURN_IF_ERROR(env->SyncDir(dir_));
  }
  segments_ = std::move(loaded);
  log_end_ = segments_.empty() ? log_start_ : segments_.back()->next_offset();
  return Status::Ok();
}

Result<Offset> Partition::ReadOffsetCheckpoint(const char* name, Offset if_missing) {
  const std::string path = PathOf(name);
  if (!options_.env->FileExists(path)) return if_missing;
  auto entries = ReadCheckpoint(options_.env, path);
  if (!entries.ok()) {
    if (entries.status().IsNotFound()) return if_missing;
    return entries.status();
  }
  if (entries->empty()) return if_missing;
  return entries->front().offset;
}

Status Partition::WriteOffsetCheckpoint(const char* name, Offset offset) {
  return WriteCheckpoint(options_.env, PathOf(name),
                         {CheckpointEntry{options_.topic, options_.partition, offset}});
}

Status Partition::LoadLogStart() {
  const Offset first = segments_.empty() ? Offset(0) : segments_.front()->base_offset();
  KQ_ASSIGN_OR_RETURN(Offset recorded, ReadOffsetCheckpoint(kLogStartCheckpoint, first));
  log_start_ = std::max(first, recorded);
  if (segments_.empty()) log_end_ = log_start_;
  log_start_ = std::min(log_start_, log_end_);
  return Status::Ok();
}

Status Partition::WriteEpochs(const std::vector<EpochEntry>& entries) {
  const std::string path = PathOf(kLeaderEpochCheckpoint);
  if (syncs_metadata()) return leader_epoch::Write(options_.env, path, entries);
  return options_.env->ReplaceFileNoSync(path, leader_epoch::Format(entries));
}

Result<std::vector<EpochEntry>> Partition::EpochsFromBatches() const {
  std::vector<EpochEntry> entries;
  for (const auto& seg : segments_) {
    BatchScanner scanner(seg->file(), 0, seg->size(),
                         {.max_batch_bytes = options_.max_batch_bytes});
    BatchScanner::Batch b;
    while (scanner.Next(&b)) {
      if (b.header.partition_leader_epoch < 0) continue;
      leader_epoch::Assign(&entries, Epoch(b.header.partition_leader_epoch),
                           Offset(b.header.base_offset));
    }
    if (scanner.stop() == BatchScanner::Stop::kIoError) return scanner.problem();
  }
  return entries;
}

Status Partition::LoadLeaderEpoch() {
  auto read = leader_epoch::Read(options_.env, PathOf(kLeaderEpochCheckpoint));
  bool rewrite = false;
  if (!read.ok() && read.status().IsCorruption() && !syncs_metadata() &&
      mode_ == OpenMode::kWrite) {
    read = EpochsFromBatches();
    rewrite = true;
  }
  KQ_ASSIGN_OR_RETURN(auto entries, std::move(read));
  const size_t before = entries.size();
  leader_epoch::TruncateFromEnd(&entries, log_end_);
  if (entries.size() != before || rewrite) KQ_RETURN_IF_ERROR(WriteEpochs(entries));
  recorded_epoch_ = entries.empty() ? kNoEpoch : entries.back().epoch;
  if (options_.leader_epoch >= 0) {
    leader_epoch_ = Epoch(options_.leader_epoch);
  } else {
    leader_epoch_ = std::max(recorded_epoch_, Epoch(0));
  }
  return Status::Ok();
}

Status Partition::RecordEpochStart(Offset start) {
  if (leader_epoch_ <= recorded_epoch_) return Status::Ok();
  KQ_ASSIGN_OR_RETURN(auto entries,
                      leader_epoch::Read(options_.env, PathOf(kLeaderEpochCheckpoint)));
  leader_epoch::Assign(&entries, leader_epoch_, start);
  KQ_RETURN_IF_ERROR(WriteEpochs(entries));
  recorded_epoch_ = leader_epoch_;
  return Status::Ok();
}

// --- appending -----------------------------------------------------------------

Status Partition::CheckTail() {
  Segment& active = *segments_.back();
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, active.StatLog());
  bool reload = info.unlinked || info.size < active.size();
  if (!reload && (info.size != active.size() || active.torn_tail())) {
    KQ_RETURN_IF_ERROR(active.Refresh());
  }
  // Truncated or replaced, or rolled by another process.
  if (reload || RolledElsewhere(active)) {
    KQ_RETURN_IF_ERROR(LoadSegments());
    KQ_RETURN_IF_ERROR(LoadLogStart());
  }
  Segment& tail = *segments_.back();
  if (!tail.tail_damage().ok()) {
    return tail.tail_damage().WithPrefix(fmt::format("partition {}: refusing to append", Name()));
  }
  if (tail.torn_tail()) {
    // We hold the lock, so no live writer is mid-append: a crashed one left
    // this incomplete batch. Cut it before appending after it.
    KQ_RETURN_IF_ERROR(tail.TruncateAtPosition(tail.size()));
  }
  log_end_ = tail.next_offset();
  return Status::Ok();
}

bool Partition::RolledElsewhere(const Segment& active) const {
  // A roll creates the next segment at the active one's end offset.
  if (active.next_offset() == active.base_offset()) return false;
  return options_.env->FileExists(
      io::JoinPath(dir_, MakeSegmentFileName(active.next_offset(), SegmentFileKind::kLog)));
}

bool Partition::NeedsRoll(const Segment& active, uint64_t pending_bytes,
                          const format::BatchHeader& incoming) const {
  if (active.empty() && pending_bytes == 0) return false;
  const uint64_t size = active.size() + pending_bytes + incoming.total_size();
  if (size > options_.segment_bytes || size > INT32_MAX) return true;
  if (active.first_batch_timestamp() >= 0 && incoming.max_timestamp >= 0 &&
      incoming.max_timestamp - active.first_batch_timestamp() > options_.segment_ms) {
    return true;
  }
  if (active.index_entries() + 1 > options_.segment_index_bytes / OffsetIndex::kEntrySize)
    return true;
  if (active.time_index_entries() + 1 > options_.segment_index_bytes / TimeIndex::kEntrySize)
    return true;
  return incoming.last_offset() - active.base_offset().value() > INT32_MAX;
}

Status Partition::Roll(Offset new_base) {
  Segment& old = *segments_.back();
  // Sealed segments are always durable: recovery trusts them.
  KQ_RETURN_IF_ERROR(old.Seal());
  const SegmentOptions seg_options{options_.index_interval_bytes, options_.max_batch_bytes};
  KQ_ASSIGN_OR_RETURN(auto seg, Segment::Create(options_.env, dir_, new_base, seg_options));
  segments_.push_back(std::move(seg));
  // The new file's name must survive a crash before any data in it counts.
  return options_.env->SyncDir(dir_);
}

Status Partition::WriteGroup(std::span<const std::string> batches,
                             std::span<const format::BatchHeader> headers) {
  if (batches.empty()) return Status::Ok();
  durable_end_ = Offset(-1);  // written, not yet synced
  std::vector<AppendedBatch> meta;
  meta.reserve(batches.size());
  uint64_t at = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    meta.push_back({at, batches[i].size(), headers[i].last_offset(), headers[i].max_timestamp});
    at += batches[i].size();
  }
  Segment& active = *segments_.back();
  if (batches.size() == 1) return active.Append(batches[0], meta);
  std::string joined;
  joined.reserve(at);
  for (const std::string& b : batches) joined += b;
  return active.Append(joined, meta);
}

Result<std::vector<format::BatchHeader>> Partition::CheckBatches(
    std::span<const std::string> batches) const {
  std::vector<format::BatchHeader> headers;
  headers.reserve(batches.size());
  for (size_t i = 0; i < batches.size(); ++i) {
    const std::string& b = batches[i];
    if (b.size() > options_.max_batch_bytes) {
      return Status::InvalidArgument(
          fmt::format("partition {}: batch {} is {} bytes, over the limit of {}", Name(), i,
                      b.size(), options_.max_batch_bytes));
    }
    if (Status s = format::ValidateBatch(b); !s.ok()) {
      return Status::InvalidArgument(
          fmt::format("partition {}: batch {}: {}", Name(), i, s.message()));
    }
    KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(b));
    headers.push_back(h);
  }
  return headers;
}

Status Partition::WriteBatches(std::span<const std::string> batches,
                               std::span<const format::BatchHeader> headers) {
  // Batches go out in groups, one write per group: a group ends where the
  // segment has to roll.
  size_t group_start = 0;
  uint64_t group_bytes = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    const format::BatchHeader& h = headers[i];
    if (NeedsRoll(*segments_.back(), group_bytes, h)) {
      KQ_RETURN_IF_ERROR(WriteGroup(batches.subspan(group_start, i - group_start),
                                    headers.subspan(group_start, i - group_start)));
      group_start = i;
      group_bytes = 0;
      // Named after the end so far, not the batch (a follower's may start
      // after a gap): other writers detect a roll by that name.
      KQ_RETURN_IF_ERROR(Roll(log_end_));
    }
    group_bytes += batches[i].size();
    log_end_ = Offset(h.next_offset());
  }
  return WriteGroup(batches.subspan(group_start), headers.subspan(group_start));
}

Status Partition::AppendLocked(std::span<std::string> batches, AppendResult* result) {
  KQ_RETURN_IF_ERROR(CheckTail());
  KQ_ASSIGN_OR_RETURN(std::vector<format::BatchHeader> headers, CheckBatches(batches));
  KQ_RETURN_IF_ERROR(RecordEpochStart(log_end_));
  result->first_offset = log_end_;
  Offset next = log_end_;
  for (size_t i = 0; i < batches.size(); ++i) {
    format::SetBaseOffset(batches[i].data(), next.value());
    format::SetPartitionLeaderEpoch(batches[i].data(), leader_epoch_.value());
    headers[i].base_offset = next.value();
    headers[i].partition_leader_epoch = leader_epoch_.value();
    next = Offset(headers[i].next_offset());
    result->bytes += batches[i].size();
  }
  KQ_RETURN_IF_ERROR(WriteBatches(batches, headers));
  result->last_offset = log_end_ - 1;
  return Status::Ok();
}

Status Partition::FollowerAppendLocked(std::span<const std::string> batches,
                                       const FollowerAppendOptions& follower,
                                       AppendResult* result) {
  KQ_RETURN_IF_ERROR(CheckTail());
  KQ_ASSIGN_OR_RETURN(std::vector<format::BatchHeader> headers, CheckBatches(batches));
  // Read under the lock: another writer may have recorded an epoch since.
  const std::string epoch_path = PathOf(kLeaderEpochCheckpoint);
  KQ_ASSIGN_OR_RETURN(std::vector<EpochEntry> epochs, leader_epoch::Read(options_.env, epoch_path));
  Epoch latest = epochs.empty() ? kNoEpoch : epochs.back().epoch;
  bool epochs_changed = false;
  Offset expected = log_end_;
  for (size_t i = 0; i < headers.size(); ++i) {
    const format::BatchHeader& h = headers[i];
    const bool gap = follower.allow_gaps && h.base_offset > expected.value();
    if (h.base_offset != expected.value() && !gap) {
      return Status::InvalidArgument(
          fmt::format("partition {}: batch {} starts at offset {}, expected {}{}", Name(), i,
                      h.base_offset, expected.value(), follower.allow_gaps ? " or later" : ""));
    }
    const Epoch epoch(h.partition_leader_epoch);
    if (epoch < latest) {
      return Status::InvalidArgument(fmt::format(
          "partition {}: batch {} (offset {}) has leader epoch {}, below the latest epoch {}",
          Name(), i, h.base_offset, epoch, latest));
    }
    if (epoch > latest) {
      leader_epoch::Assign(&epochs, epoch, Offset(h.base_offset));
      latest = epoch;
      epochs_changed = true;
    }
    expected = Offset(h.next_offset());
    result->bytes += batches[i].size();
  }
  // The checkpoint goes first: an entry past the log end after a crash is
  // cut back on open, while data with no entry for its epoch would not be
  // found by OffsetForLeaderEpoch.
  if (epochs_changed) KQ_RETURN_IF_ERROR(WriteEpochs(epochs));
  recorded_epoch_ = latest;
  if (options_.leader_epoch < 0) leader_epoch_ = std::max(recorded_epoch_, Epoch(0));
  result->first_offset = Offset(headers.front().base_offset);
  KQ_RETURN_IF_ERROR(WriteBatches(batches, headers));
  result->last_offset = log_end_ - 1;
  return Status::Ok();
}

void Partition::ReloadAfterFailure() {
  durable_end_ = Offset(-1);
  ++truncations_;
  segments_.clear();
  Status s = LoadSegments();
  if (s.ok()) s = LoadLogStart();
  if (!s.ok()) {
    broken_ = s.WithPrefix(
        fmt::format("partition {}: unusable after a failed write (reopen it)", Name()));
  }
}

Result<AppendResult> Partition::AppendUnderLock(
    size_t batch_count, const std::function<Status(AppendResult*)>& append_locked) {
  if (mode_ != OpenMode::kWrite) {
    return Status::InvalidArgument(fmt::format("partition {} was opened read-only", Name()));
  }
  KQ_RETURN_IF_ERROR(broken_);
  if (batch_count == 0) return Status::InvalidArgument("append of no batches");
  KQ_ASSIGN_OR_RETURN(auto lock, LockPartition());
  AppendResult result;
  const Offset end_before = log_end_;
  Status s = append_locked(&result);
  if (!s.ok()) {
    // Leave no half-appended state behind in memory; the files are re-read
    // (and a partial write cut as a torn tail by the next append).
    if (log_end_ != end_before || segments_.empty()) ReloadAfterFailure();
    return s;
  }
  return result;
}

Result<AppendResult> Partition::Append(std::span<std::string> batches) {
  return AppendUnderLock(batches.size(),
                         [&](AppendResult* result) { return AppendLocked(batches, result); });
}

Result<AppendResult> Partition::AppendAsFollower(std::span<const std::string> batches,
                                                 const FollowerAppendOptions& follower) {
  return AppendUnderLock(batches.size(), [&](AppendResult* result) {
    return FollowerAppendLocked(batches, follower, result);
  });
}

Status Partition::Sync() {
  if (mode_ != OpenMode::kWrite) return Status::Ok();
  KQ_RETURN_IF_ERROR(broken_);
  // fdatasync covers the file's data whoever wrote it, so everything up to
  // the end we last saw is durable after this; segments rolled before it
  // were synced when sealed.
  const Offset synced_end = log_end_;
  // Nothing written since this object's last sync: a second fdatasync (Close
  // after Flush) would only wait.
  if (synced_end != durable_end_) {
    KQ_RETURN_IF_ERROR(segments_.back()->SyncLog());
    durable_end_ = synced_end;
  }
  return AdvanceRecoveryPoint(synced_end);
}

Result<Partition::SyncJob> Partition::BeginSync() {
  SyncJob job;
  job.owner = instance_;
  job.end = log_end_;
  job.truncations = truncations_;
  if (mode_ != OpenMode::kWrite) return job;
  KQ_RETURN_IF_ERROR(broken_);
  // Same skip as Sync: nothing written since the last sync that finished.
  if (log_end_ != durable_end_) {
    KQ_ASSIGN_OR_RETURN(job.file, segments_.back()->DuplicateLog());
  }
  return job;
}

Status Partition::FinishSync(const SyncJob& job) {
  if (job.owner != instance_ || mode_ != OpenMode::kWrite) return Status::Ok();
  KQ_RETURN_IF_ERROR(broken_);
  if (job.truncations != truncations_) return Status::Ok();
  // Appends since BeginSync left the log end past job.end: the next sync
  // still covers them.
  durable_end_ = job.end;
  return AdvanceRecoveryPoint(job.end);
}

Status Partition::AdvanceRecoveryPoint(Offset synced_end) {
  const int64_t now = options_.env->NowMs();
  if (synced_end > recovery_point_written_ &&
      now - recovery_point_written_ms_ >= options_.recovery_point_interval_ms) {
    KQ_ASSIGN_OR_RETURN(auto lock, LockPartition());
    KQ_RETURN_IF_ERROR(CheckTail());
    // Another process may have truncated meanwhile: never name an offset
    // past the log.
    const Offset point = std::min(synced_end, log_end_);
    KQ_ASSIGN_OR_RETURN(Offset current, ReadOffsetCheckpoint(kRecoveryPointCheckpoint, Offset(0)));
    if (point > current) {
      // Recovery trusts the index entries below the recovery point, and the
      // active segment's are otherwise synced only when it is sealed.
      KQ_RETURN_IF_ERROR(segments_.back()->SyncIndexes());
      KQ_RETURN_IF_ERROR(WriteOffsetCheckpoint(kRecoveryPointCheckpoint, point));
    }
    recovery_point_written_ = point;
    recovery_point_written_ms_ = now;
  }
  return Status::Ok();
}

Status Partition::Close(CloseSync sync) {
  if (mode_ != OpenMode::kWrite) return Status::Ok();
  KQ_RETURN_IF_ERROR(broken_);
  options_.recovery_point_interval_ms = 0;
  Status s = sync == CloseSync::kSync ? Sync() : Status::Ok();
  segments_.back()->CloseWriters();
  return s;
}

Status Partition::LowerRecoveryPoint(Offset end) {
  KQ_ASSIGN_OR_RETURN(Offset current, ReadOffsetCheckpoint(kRecoveryPointCheckpoint, Offset(0)));
  if (current > end) KQ_RETURN_IF_ERROR(WriteOffsetCheckpoint(kRecoveryPointCheckpoint, end));
  recovery_point_written_ = std::min(recovery_point_written_, end);
  return Status::Ok();
}

// --- reading -------------------------------------------------------------------

Status Partition::Refresh() {
  KQ_RETURN_IF_ERROR(broken_);
  if (segments_.empty()) {
    KQ_RETURN_IF_ERROR(LoadSegments());
    return LoadLogStart();
  }
  Segment& active = *segments_.back();
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, active.StatLog());
  KQ_ASSIGN_OR_RETURN(io::FileInfo first, segments_.front()->StatLog());
  bool reload = info.unlinked || first.unlinked || info.size < active.size();
  if (!reload && info.size != active.size()) {
    KQ_RETURN_IF_ERROR(active.Refresh());
    log_end_ = active.next_offset();
  }
  if (reload || RolledElsewhere(active)) KQ_RETURN_IF_ERROR(LoadSegments());
  return LoadLogStart();
}

size_t Partition::SegmentIndexFor(Offset offset) const {
  auto it = std::upper_bound(
      segments_.begin(), segments_.end(), offset,
      [](Offset o, const std::unique_ptr<Segment>& s) { return o < s->base_offset(); });
  return it == segments_.begin() ? 0 : static_cast<size_t>(it - segments_.begin()) - 1;
}

Offset Partition::OffsetLimitOf(size_t segment) const {
  return segment + 1 < segments_.size() ? segments_[segment + 1]->base_offset() : log_end_;
}

Status Partition::ReadBatches(size_t segment, uint64_t position, size_t max_bytes, ReadChunk* out) {
  const Segment& seg = *segments_[segment];
  const uint64_t end = seg.size();
  // The base offset is outside the CRC: offsets that go backwards or leave
  // the segment's range are damage, whatever the CRC says.
  int64_t min_base = seg.base_offset().value();
  const int64_t limit = OffsetLimitOf(segment).value();
  size_t want = static_cast<size_t>(
      std::min<uint64_t>(end - position, std::max<size_t>(max_bytes, format::kBatchHeaderSize)));
  KQ_RETURN_IF_ERROR(seg.file().Read(position, want, &out->bytes));
  // Keep whole batches only; read more when the first one is larger than asked.
  size_t at = 0;
  while (at < out->bytes.size()) {
    std::string_view rest = std::string_view(out->bytes).substr(at);
    format::FrameProbe probe = format::ProbeFrame(rest, options_.max_batch_bytes);
    if (probe.state == format::FrameState::kCorrupt) {
      if (at > 0) break;
      return Status::Corruption(fmt::format("partition {}: {}: batch at position {}: {}", Name(),
                                            seg.log_path(), position + at, probe.problem));
    }
    if (probe.state == format::FrameState::kIncomplete) {
      if (at > 0 || position + probe.size > end || probe.size == 0) break;
      std::string more;
      KQ_RETURN_IF_ERROR(seg.file().Read(position, probe.size, &more));
      out->bytes = std::move(more);
      continue;
    }
    std::string_view batch = rest.substr(0, probe.size);
    const int64_t base = static_cast<int64_t>(DecodeFixed64BE(batch.data()));
    if (options_.verify_reads) {
      if (Status s = format::ValidateBatch(batch); !s.ok()) {
        if (at > 0) break;  // deliver the good batches first; the next read reports it
        return s.WithPrefix(fmt::format("partition {}: {}: batch at position {} (offset {})",
                                        Name(), seg.log_path(), position + at, base));
      }
    }
    const auto last_delta =
        static_cast<int32_t>(DecodeFixed32BE(batch.data() + format::kLastOffsetDeltaPos));
    if (Status s = CheckBatchOffsets(seg, position + at, base, last_delta, min_base, limit);
        !s.ok()) {
      if (at > 0) break;  // deliver the good batches first; the next read reports it
      return s;
    }
    min_base = base + last_delta + 1;
    out->next_offset = Offset(base + last_delta + 1);
    at += probe.size;
  }
  out->bytes.resize(at);
  return Status::Ok();
}

namespace {
bool Delivered(const ReadChunk& c) { return !c.bytes.empty(); }
bool Delivered(const LocatedRead& l) { return l.length > 0; }
}  // namespace

template <typename Out, typename At>
Status Partition::Seek(Offset offset, Out* out, At&& at) {
  KQ_RETURN_IF_ERROR(broken_);
  if (offset < log_start_) {
    return Status::OutOfRange(
        fmt::format("partition {}: offset {} is below the log start offset {}", Name(),
                    offset.value(), log_start_.value()));
  }
  if (offset > log_end_) {
    return Status::OutOfRange(fmt::format("partition {}: offset {} is past the log end offset {}",
                                          Name(), offset.value(), log_end_.value()));
  }
  out->next_offset = offset;
  if (segments_.empty()) return Status::Ok();
  if (offset == log_end_) {
    // Bytes after the last batch that cannot be the start of one are not a
    // batch still being written: say so rather than end quietly.
    const Status& damage = segments_.back()->tail_damage();
    if (!damage.ok()) return damage.WithPrefix(fmt::format("partition {}", Name()));
    return Status::Ok();
  }
  for (size_t i = SegmentIndexFor(offset); i < segments_.size(); ++i) {
    const Segment& seg = *segments_[i];
    if (offset < seg.next_offset()) {
      KQ_ASSIGN_OR_RETURN(FilePos pos, seg.FindPosition(offset));
      if (pos.value() < seg.size()) {
        KQ_RETURN_IF_ERROR(at(i, pos.value()));
        if (Delivered(*out)) return Status::Ok();
      }
    }
    // Nothing readable at or after `offset` here: damage must be reported,
    // not skipped; a gap left by compaction moves on to the next segment.
    if (!seg.tail_damage().ok())
      return seg.tail_damage().WithPrefix(fmt::format("partition {}", Name()));
    if (i + 1 < segments_.size()) {
      offset = std::max(offset, segments_[i + 1]->base_offset());
      out->next_offset = offset;
    }
  }
  return Status::Ok();
}

Result<ReadChunk> Partition::Read(Offset offset, size_t max_bytes) {
  ReadChunk chunk;
  KQ_RETURN_IF_ERROR(Seek(offset, &chunk, [&](size_t segment, uint64_t position) {
    return ReadBatches(segment, position, max_bytes, &chunk);
  }));
  return chunk;
}

Result<LocatedRead> Partition::Locate(Offset offset, size_t max_bytes) {
  LocatedRead located;
  KQ_RETURN_IF_ERROR(Seek(offset, &located, [&](size_t segment, uint64_t position) -> Status {
    if (!options_.verify_reads) return LocateBatches(segment, position, max_bytes, &located);
    // Checking CRCs takes the bytes: read them as Read does, keep the place.
    ReadChunk chunk;
    chunk.next_offset = located.next_offset;  // kept when nothing is delivered
    KQ_RETURN_IF_ERROR(ReadBatches(segment, position, max_bytes, &chunk));
    located.next_offset = chunk.next_offset;
    located.position = FilePos(position);
    located.length = chunk.bytes.size();
    if (located.length > 0) located.file = segments_[segment]->shared_file();
    return Status::Ok();
  }));
  return located;
}

Status Partition::LocateBatches(size_t segment, uint64_t position, size_t max_bytes,
                                LocatedRead* out) {
  // The same walk as ReadBatches over the same window, reading 61 header
  // bytes per batch instead of the window: the checks must agree with it
  // exactly (the tests compare the two).
  const Segment& seg = *segments_[segment];
  const uint64_t end = seg.size();
  int64_t min_base = seg.base_offset().value();
  const int64_t limit = OffsetLimitOf(segment).value();
  uint64_t window =
      std::min<uint64_t>(end - position, std::max<size_t>(max_bytes, format::kBatchHeaderSize));
  uint64_t at = 0;
  std::string head;
  while (at < window) {
    const uint64_t rest = window - at;
    KQ_RETURN_IF_ERROR(seg.file().Read(
        position + at, static_cast<size_t>(std::min<uint64_t>(rest, format::kBatchHeaderSize)),
        &head));
    format::FrameProbe probe = format::ProbeFrame(head, options_.max_batch_bytes);
    if (probe.state == format::FrameState::kCorrupt) {
      if (at > 0) break;
      return Status::Corruption(fmt::format("partition {}: {}: batch at position {}: {}", Name(),
                                            seg.log_path(), position + at, probe.problem));
    }
    const bool whole =
        probe.size > 0 && probe.size <= rest && head.size() >= format::kBatchHeaderSize;
    if (!whole) {
      if (at > 0 || position + probe.size > end || probe.size == 0) break;
      window = probe.size;  // a first batch larger than asked comes whole
      continue;
    }
    const int64_t base = static_cast<int64_t>(DecodeFixed64BE(head.data()));
    const auto last_delta =
        static_cast<int32_t>(DecodeFixed32BE(head.data() + format::kLastOffsetDeltaPos));
    if (Status s = CheckBatchOffsets(seg, position + at, base, last_delta, min_base, limit);
        !s.ok()) {
      if (at > 0) break;  // deliver the good batches first; the next read reports it
      return s;
    }
    min_base = base + last_delta + 1;
    out->next_offset = Offset(base + last_delta + 1);
    at += probe.size;
  }
  out->position = FilePos(position);
  out->length = at;
  out->file = at > 0 ? seg.shared_file() : nullptr;
  return Status::Ok();
}

Result<Offset> Partition::OffsetForTimestamp(int64_t ts) {
  KQ_RETURN_IF_ERROR(broken_);
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& seg = *segments_[i];
    if (seg.max_timestamp() < ts || seg.next_offset() <= log_start_) continue;
    // Batch by batch from the first one that may qualify: the log start may
    // lie inside a batch, whose records below it are gone and do not count.
    uint64_t from = 0;
    if (seg.base_offset() < log_start_) {
      KQ_ASSIGN_OR_RETURN(FilePos start, seg.FindPosition(log_start_));
      from = start.value();
    }
    for (;;) {
      KQ_ASSIGN_OR_RETURN(FilePos pos, seg.FindTimestampPosition(ts, from));
      if (pos.value() >= seg.size()) break;
      ReadChunk chunk;
      KQ_RETURN_IF_ERROR(ReadBatches(i, pos.value(), 1, &chunk));
      if (chunk.bytes.empty()) break;
      // Timestamps inside a batch need not be ordered: the first record that
      // qualifies is the answer (one batch is walked whole).
      int64_t found = -1;
      std::string scratch;
      KQ_RETURN_IF_ERROR(
          format::ForEachRecord(chunk.bytes, &scratch, [&](const format::RecordView& r) {
            if (found < 0 && r.offset >= log_start_.value() && r.timestamp >= ts) found = r.offset;
            return Status::Ok();
          }));
      if (found >= 0) return Offset(found);
      from = pos.value() + chunk.bytes.size();
    }
  }
  return log_end_;
}

std::vector<SegmentInfo> Partition::Segments() const {
  std::vector<SegmentInfo> out;
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = *segments_[i];
    out.push_back({s.base_offset(), s.next_offset(), s.size(), s.max_timestamp(),
                   i + 1 == segments_.size(), s.log_path()});
  }
  return out;
}

uint64_t Partition::size_bytes() const {
  uint64_t total = 0;
  for (const auto& s : segments_) total += s->size();
  return total;
}

// --- maintenance ------------------------------------------------------------------

Status Partition::CheckBatchOffsets(const Segment& seg, uint64_t position, int64_t base,
                                    int32_t last_delta, int64_t min_base, int64_t limit) const {
  if (base >= min_base && last_delta >= 0 && base <= limit - 1 - last_delta) return Status::Ok();
  return Status::Corruption(fmt::format(
      "partition {}: {}: batch at position {}: offsets {}..{} out of order (expected within "
      "{}..{})",
      Name(), seg.log_path(), position, base, base + int64_t{last_delta}, min_base, limit - 1));
}

Status Partition::TruncateTo(Offset new_end) {
  if (mode_ != OpenMode::kWrite)
    return Status::InvalidArgument("truncate on a read-only partition");
  KQ_RETURN_IF_ERROR(broken_);
  KQ_ASSIGN_OR_RETURN(auto lock, LockPartition());
  Status s = TruncateLocked(new_end);
  if (!s.ok()) ReloadAfterFailure();
  return s;
}

Status Partition::TruncateLocked(Offset new_end) {
  KQ_RETURN_IF_ERROR(CheckTail());
  if (new_end >= log_end_) return Status::Ok();
  ++truncations_;
  // Remove whole segments at or past the new end (keeping at least one),
  // newest first, and make that durable before cutting the one that stays:
  // a crash must not bring back a later segment after a shortened one.
  bool removed = false;
  while (segments_.size() > 1 && segments_.back()->base_offset() >= new_end) {
    KQ_RETURN_IF_ERROR(segments_.back()->Remove());
    segments_.pop_back();
    removed = true;
  }
  if (removed) KQ_RETURN_IF_ERROR(options_.env->SyncDir(dir_));
  Segment& last = *segments_.back();
  if (last.base_offset() >= new_end) {
    KQ_RETURN_IF_ERROR(last.TruncateAtPosition(0));
  } else {
    KQ_ASSIGN_OR_RETURN(FilePos pos, last.FindPosition(new_end));
    KQ_RETURN_IF_ERROR(last.TruncateAtPosition(pos.value()));
  }
  KQ_RETURN_IF_ERROR(last.SyncLog());
  log_end_ = last.next_offset();
  if (log_start_ > log_end_) log_start_ = log_end_;
  KQ_RETURN_IF_ERROR(LowerRecoveryPoint(log_end_));
  return LoadLeaderEpoch();
}

Status Partition::AdvanceLogStart(Offset new_start) {
  if (mode_ != OpenMode::kWrite)
    return Status::InvalidArgument("delete records on a read-only partition");
  KQ_RETURN_IF_ERROR(broken_);
  KQ_ASSIGN_OR_RETURN(auto lock, LockPartition());
  Status s = AdvanceLogStartLocked(new_start);
  if (!s.ok()) ReloadAfterFailure();
  return s;
}

Status Partition::AdvanceLogStartLocked(Offset new_start) {
  KQ_RETURN_IF_ERROR(CheckTail());
  if (new_start > log_end_) {
    return Status::OutOfRange(fmt::format("partition {}: offset {} is past the log end offset {}",
                                          Name(), new_start.value(), log_end_.value()));
  }
  if (new_start <= log_start_) return Status::Ok();
  // Record the new start first: readers then stop serving what is about to go.
  KQ_RETURN_IF_ERROR(WriteOffsetCheckpoint(kLogStartCheckpoint, new_start));
  log_start_ = new_start;
  if (segments_.back()->next_offset() <= new_start && !segments_.back()->empty()) {
    KQ_RETURN_IF_ERROR(Roll(log_end_));
  }
  while (segments_.size() > 1 && segments_.front()->next_offset() <= new_start) {
    KQ_RETURN_IF_ERROR(segments_.front()->Remove());
    segments_.erase(segments_.begin());
  }
  return options_.env->SyncDir(dir_);
}

}  // namespace kq::log
