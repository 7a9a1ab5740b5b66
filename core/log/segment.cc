#include "log/segment.h"

#include <algorithm>

#include <fmt/format.h>

#include "log/segment_name.h"

namespace kq::log {
namespace {
constexpr size_t kSeekReadAhead = 16 * 1024;
}  // namespace

namespace {
std::string SegmentPath(const std::string& dir, Offset base, SegmentFileKind kind) {
  return io::JoinPath(dir, MakeSegmentFileName(base, kind));
}
}  // namespace

Segment::Segment(io::Env* env, std::string dir, Offset base, const SegmentOptions& options)
    : env_(env),
      dir_(std::move(dir)),
      base_(base),
      options_(options),
      log_path_(SegmentPath(dir_, base, SegmentFileKind::kLog)),
      index_path_(SegmentPath(dir_, base, SegmentFileKind::kIndex)),
      time_index_path_(SegmentPath(dir_, base, SegmentFileKind::kTimeIndex)),
      next_offset_(base) {}

Result<std::unique_ptr<Segment>> Segment::Open(io::Env* env, const std::string& dir, Offset base,
                                               const SegmentOptions& options) {
  std::unique_ptr<Segment> seg(new Segment(env, dir, base, options));
  KQ_RETURN_IF_ERROR(seg->OpenReader());
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, seg->reader_->Stat());
  KQ_RETURN_IF_ERROR(seg->LoadIndexes(info.size));
  const uint64_t from = seg->index_.empty() ? 0 : seg->index_.back().position;
  KQ_RETURN_IF_ERROR(seg->ScanTail(from, info.size, /*from_indexed_batch=*/true));
  return seg;
}

Result<std::unique_ptr<Segment>> Segment::Create(io::Env* env, const std::string& dir, Offset base,
                                                 const SegmentOptions& options) {
  std::unique_ptr<Segment> seg(new Segment(env, dir, base, options));
  KQ_RETURN_IF_ERROR(seg->OpenWriters());
  KQ_RETURN_IF_ERROR(seg->OpenReader());
  return seg;
}

void Segment::ResetState() {
  valid_end_ = 0;
  next_offset_ = base_;
  max_timestamp_ = -1;
  first_batch_timestamp_ = -1;
  bytes_since_index_entry_ = 0;
  torn_tail_ = false;
  tail_damage_ = Status::Ok();
}

Status Segment::OpenReader() {
  KQ_ASSIGN_OR_RETURN(reader_, env_->OpenRandomAccess(log_path_));
  return Status::Ok();
}

Status Segment::OpenWriters() {
  if (!log_writer_) {
    KQ_ASSIGN_OR_RETURN(log_writer_, env_->OpenAppendable(log_path_));
  }
  if (!index_writer_) {
    KQ_ASSIGN_OR_RETURN(index_writer_, env_->OpenAppendable(index_path_));
  }
  if (!time_writer_) {
    KQ_ASSIGN_OR_RETURN(time_writer_, env_->OpenAppendable(time_index_path_));
  }
  return Status::Ok();
}

void Segment::CloseWriters() {
  log_writer_.reset();
  index_writer_.reset();
  time_writer_.reset();
}

Status Segment::LoadIndexes(uint64_t log_size) {
  index_.Clear();
  time_index_.Clear();
  index_file_bytes_ = time_index_file_bytes_ = 0;
  indexes_need_rebuild_ = false;
  std::string bytes;
  if (env_->FileExists(index_path_)) {
    KQ_ASSIGN_OR_RETURN(bytes, env_->ReadFileToString(index_path_));
    if (!index_.Load(bytes, log_size)) indexes_need_rebuild_ = true;
    index_file_bytes_ = bytes.size();
  } else if (log_size > 0) {
    indexes_need_rebuild_ = true;
  }
  if (env_->FileExists(time_index_path_)) {
    KQ_ASSIGN_OR_RETURN(bytes, env_->ReadFileToString(time_index_path_));
    if (!time_index_.Load(bytes, -1)) indexes_need_rebuild_ = true;
    time_index_file_bytes_ = bytes.size();
  } else if (log_size > 0) {
    indexes_need_rebuild_ = true;
  }
  index_entries_from_file_ = index_.size();
  time_entries_from_file_ = time_index_.size();
  return Status::Ok();
}

void Segment::NoteBatch(uint64_t position, uint64_t size, int64_t last_offset, int64_t max_ts,
                        std::string* index_out, std::string* time_out) {
  if (position == 0) first_batch_timestamp_ = max_ts;
  max_timestamp_ = std::max(max_timestamp_, max_ts);
  next_offset_ = Offset(last_offset + 1);
  valid_end_ = position + size;
  bytes_since_index_entry_ += size;
  if (bytes_since_index_entry_ < options_.index_interval_bytes) return;
  // Kafka's rule: an entry once more than index.interval.bytes were appended
  // since the last one, naming this batch's last offset and start position.
  const OffsetIndexEntry entry{static_cast<uint32_t>(last_offset - base_.value()),
                               static_cast<uint32_t>(position)};
  if (index_.CanAppend(entry)) {
    index_.Append(entry);
    if (index_out) OffsetIndex::Encode(entry, index_out);
  }
  const TimeIndexEntry time_entry{max_timestamp_, entry.relative_offset};
  if (max_timestamp_ >= 0 && time_index_.CanAppend(time_entry)) {
    time_index_.Append(time_entry);
    if (time_out) TimeIndex::Encode(time_entry, time_out);
  }
  bytes_since_index_entry_ = 0;
}

Status Segment::ScanTail(uint64_t from, uint64_t end, bool from_indexed_batch) {
  torn_tail_ = false;
  tail_damage_ = Status::Ok();
  if (!time_index_.empty()) max_timestamp_ = std::max(max_timestamp_, time_index_.back().timestamp);
  if (first_batch_timestamp_ < 0 && from > 0 && end >= format::kBatchHeaderSize) {
    std::string head;
    KQ_RETURN_IF_ERROR(reader_->Read(0, format::kBatchHeaderSize, &head));
    if (auto h = format::DecodeBatchHeader(head); h.ok()) first_batch_timestamp_ = h->max_timestamp;
  }
  BatchScanner scanner(*reader_, from, end, {.max_batch_bytes = options_.max_batch_bytes});
  BatchScanner::Batch b;
  // The batch at `from` is the one the last index entry names: it is already
  // counted in the indexes, so it does not count toward the next entry.
  const bool from_indexed = from_indexed_batch && from > 0;
  while (scanner.Next(&b)) {
    const auto& h = b.header;
    if (h.base_offset < next_offset_.value() && !(from_indexed && b.position == from)) {
      tail_damage_ = Status::Corruption(
          fmt::format("{}: batch at position {}: offset {} goes backwards (expected at least {})",
                      log_path_, b.position, h.base_offset, next_offset_.value()));
      break;
    }
    if (h.last_offset_delta < 0 || h.last_offset() - base_.value() > INT32_MAX ||
        h.base_offset < base_.value()) {
      tail_damage_ = Status::Corruption(
          fmt::format("{}: batch at position {}: offsets {}..{} do not fit a segment based at {}",
                      log_path_, b.position, h.base_offset, h.last_offset(), base_.value()));
      break;
    }
    if (from_indexed && b.position == from) {
      max_timestamp_ = std::max(max_timestamp_, h.max_timestamp);
      next_offset_ = Offset(h.last_offset() + 1);
      valid_end_ = b.position + h.total_size();
      bytes_since_index_entry_ = 0;
      if (b.position == 0) first_batch_timestamp_ = h.max_timestamp;
      continue;
    }
    NoteBatch(b.position, h.total_size(), h.last_offset(), h.max_timestamp, nullptr, nullptr);
  }
  if (scanner.stop() == BatchScanner::Stop::kIoError) return scanner.problem();
  if (scanner.stop() == BatchScanner::Stop::kCorrupt && tail_damage_.ok())
    tail_damage_ = scanner.problem();
  torn_tail_ = scanner.stop() == BatchScanner::Stop::kTorn;
  if (valid_end_ < from) valid_end_ = from;  // nothing readable past `from`
  return Status::Ok();
}

Status Segment::Refresh() {
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, reader_->Stat());
  if (info.size == valid_end_ && !torn_tail_) return Status::Ok();
  if (info.size < valid_end_) {
    // Truncated by someone else: start over from the files.
    ResetState();
    KQ_RETURN_IF_ERROR(LoadIndexes(info.size));
    const uint64_t from = index_.empty() ? 0 : index_.back().position;
    return ScanTail(from, info.size, /*from_indexed_batch=*/true);
  }
  // Pick up index entries appended by other writers, then scan the new bytes.
  if (env_->FileExists(index_path_)) {
    KQ_ASSIGN_OR_RETURN(uint64_t isize, env_->FileSize(index_path_));
    if (isize > index_file_bytes_) {
      std::string more;
      auto file = env_->OpenRandomAccess(index_path_);
      if (file.ok() && (*file)->Read(index_file_bytes_, isize - index_file_bytes_, &more).ok()) {
        const size_t whole = more.size() / OffsetIndex::kEntrySize * OffsetIndex::kEntrySize;
        index_.LoadMore(std::string_view(more).substr(0, whole), info.size);
        index_file_bytes_ += whole;
      }
    }
  }
  return ScanTail(valid_end_, info.size, /*from_indexed_batch=*/false);
}

Result<FilePos> Segment::FindPosition(Offset offset) const {
  if (offset < base_) return FilePos(0);
  const int64_t rel = offset - base_;
  const uint64_t start = rel > INT32_MAX ? index_.empty() ? 0 : index_.back().position
                                         : index_.Lookup(static_cast<uint32_t>(rel)).position;
  // The batch sought lies about an index interval past `start`: a small
  // read-ahead keeps a seek from reading far more than a consumer asked for.
  BatchScanner scanner(*reader_, start, valid_end_,
                       {.max_batch_bytes = options_.max_batch_bytes, .read_ahead = kSeekReadAhead});
  BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    if (b.header.last_offset() >= offset.value()) return FilePos(b.position);
  }
  if (scanner.stop() == BatchScanner::Stop::kCorrupt ||
      scanner.stop() == BatchScanner::Stop::kIoError) {
    return scanner.problem();
  }
  return FilePos(valid_end_);
}

Result<FilePos> Segment::FindTimestampPosition(int64_t ts, uint64_t from) const {
  const TimeIndexEntry before = time_index_.LookupBefore(ts);
  uint64_t start = 0;
  if (before.timestamp >= 0) start = index_.Lookup(before.relative_offset).position;
  start = std::max(start, from);  // both are batch boundaries
  // The batch sought lies about an index interval past `start`: a small
  // read-ahead keeps a seek from reading far more than a consumer asked for.
  BatchScanner scanner(*reader_, start, valid_end_,
                       {.max_batch_bytes = options_.max_batch_bytes, .read_ahead = kSeekReadAhead});
  BatchScanner::Batch b;
  while (scanner.Next(&b)) {
    if (b.header.max_timestamp >= ts) return FilePos(b.position);
  }
  if (scanner.stop() == BatchScanner::Stop::kCorrupt ||
      scanner.stop() == BatchScanner::Stop::kIoError) {
    return scanner.problem();
  }
  return FilePos(valid_end_);
}

Status Segment::Append(std::string_view buffer, std::span<const AppendedBatch> batches) {
  KQ_RETURN_IF_ERROR(OpenWriters());
  const uint64_t start = valid_end_;
  KQ_RETURN_IF_ERROR(log_writer_->Append(buffer));
  std::string index_bytes, time_bytes;
  for (const AppendedBatch& b : batches) {
    NoteBatch(start + b.offset_in_buffer, b.size, b.last_offset, b.max_timestamp, &index_bytes,
              &time_bytes);
  }
  // Indexes after the log: a crash in between leaves a missing hint, never
  // an entry pointing at bytes that do not exist.
  if (!index_bytes.empty()) {
    KQ_RETURN_IF_ERROR(index_writer_->Append(index_bytes));
    index_file_bytes_ += index_bytes.size();
  }
  if (!time_bytes.empty()) {
    KQ_RETURN_IF_ERROR(time_writer_->Append(time_bytes));
    time_index_file_bytes_ += time_bytes.size();
  }
  return Status::Ok();
}

Status Segment::SyncLog() {
  KQ_RETURN_IF_ERROR(OpenWriters());
  return log_writer_->Sync();
}

Result<std::unique_ptr<io::AppendableFile>> Segment::DuplicateLog() {
  KQ_RETURN_IF_ERROR(OpenWriters());
  return log_writer_->Duplicate();
}

Status Segment::SyncIndexes() {
  KQ_RETURN_IF_ERROR(OpenWriters());
  // An empty file holds no entry to trust: a partition with little data has
  // none, and syncing it would cost each of many partitions two calls.
  for (io::AppendableFile* file : {index_writer_.get(), time_writer_.get()}) {
    KQ_ASSIGN_OR_RETURN(io::FileInfo info, file->Stat());
    if (info.size > 0) KQ_RETURN_IF_ERROR(file->Sync());
  }
  return Status::Ok();
}

Status Segment::Seal() {
  KQ_RETURN_IF_ERROR(OpenWriters());
  if (max_timestamp_ >= 0 && next_offset_ > base_) {
    const TimeIndexEntry last{max_timestamp_, static_cast<uint32_t>(next_offset_ - base_ - 1)};
    if (time_index_.CanAppend(last)) {
      std::string bytes;
      TimeIndex::Encode(last, &bytes);
      time_index_.Append(last);
      KQ_RETURN_IF_ERROR(time_writer_->Append(bytes));
      time_index_file_bytes_ += bytes.size();
    }
  }
  KQ_RETURN_IF_ERROR(log_writer_->Sync());
  KQ_RETURN_IF_ERROR(index_writer_->Sync());
  KQ_RETURN_IF_ERROR(time_writer_->Sync());
  CloseWriters();
  return Status::Ok();
}

Status Segment::RewriteIndexFiles() {
  CloseWriters();
  std::string bytes;
  bytes.reserve(index_.file_bytes());
  for (const auto& e : index_.entries()) OffsetIndex::Encode(e, &bytes);
  KQ_RETURN_IF_ERROR(env_->WriteFileAtomic(index_path_, bytes));
  index_file_bytes_ = bytes.size();
  bytes.clear();
  for (const auto& e : time_index_.entries()) TimeIndex::Encode(e, &bytes);
  KQ_RETURN_IF_ERROR(env_->WriteFileAtomic(time_index_path_, bytes));
  time_index_file_bytes_ = bytes.size();
  indexes_need_rebuild_ = false;
  return Status::Ok();
}

Status Segment::RebuildIndexes() {
  KQ_ASSIGN_OR_RETURN(io::FileInfo info, reader_->Stat());
  index_.Clear();
  time_index_.Clear();
  ResetState();
  KQ_RETURN_IF_ERROR(ScanTail(0, info.size, /*from_indexed_batch=*/false));
  return RewriteIndexFiles();
}

Status Segment::TruncateAtPosition(uint64_t position) {
  CloseWriters();
  KQ_RETURN_IF_ERROR(env_->TruncateFile(log_path_, position));
  // Re-learn the state of the shortened file from scratch (the first
  // batch's timestamp too: segment.ms counts from the batch now first).
  index_.Clear();
  time_index_.Clear();
  ResetState();
  KQ_RETURN_IF_ERROR(ScanTail(0, position, /*from_indexed_batch=*/false));
  return RewriteIndexFiles();
}

Status Segment::Remove() {
  CloseWriters();
  for (const std::string& path : {index_path_, time_index_path_, log_path_}) {
    Status s = env_->RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  return Status::Ok();
}

}  // namespace kq::log
