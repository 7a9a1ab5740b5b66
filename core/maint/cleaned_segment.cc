#include "maint/cleaned_segment.h"

#include <algorithm>

#include "log/segment_name.h"

namespace kq::maint {

namespace {
constexpr size_t kWriteBuffer = size_t{1} << 20;

std::string CleanedPath(const std::string& dir, Offset base, log::SegmentFileKind kind) {
  return io::JoinPath(dir, log::MakeSegmentFileName(base, kind, log::TransientSuffix::kCleaned));
}
}  // namespace

CleanedSegment::CleanedSegment(io::Env* env, const std::string& dir, Offset base, uint32_t interval,
                               bool dry_run)
    : env_(env),
      base_(base),
      index_interval_bytes_(interval),
      dry_run_(dry_run),
      log_path_(CleanedPath(dir, base, log::SegmentFileKind::kLog)),
      index_path_(CleanedPath(dir, base, log::SegmentFileKind::kIndex)),
      time_index_path_(CleanedPath(dir, base, log::SegmentFileKind::kTimeIndex)),
      next_offset_(base) {}

CleanedSegment::~CleanedSegment() = default;

Result<std::unique_ptr<CleanedSegment>> CleanedSegment::Create(io::Env* env, const std::string& dir,
                                                               Offset base, uint32_t interval,
                                                               bool dry_run) {
  std::unique_ptr<CleanedSegment> seg(new CleanedSegment(env, dir, base, interval, dry_run));
  if (!dry_run) {
    KQ_ASSIGN_OR_RETURN(seg->log_, env->CreateTruncated(seg->log_path_));
  }
  return seg;
}

Status CleanedSegment::FlushBuffer() {
  if (buffer_.empty() || dry_run_) return Status::Ok();
  KQ_RETURN_IF_ERROR(log_->Append(buffer_));
  buffer_.clear();
  return Status::Ok();
}

Status CleanedSegment::Append(std::string_view batch, int64_t last_offset, int64_t max_timestamp) {
  const uint64_t position = size_;
  if (!dry_run_) {
    buffer_.append(batch);
    if (buffer_.size() >= kWriteBuffer) KQ_RETURN_IF_ERROR(FlushBuffer());
  }
  size_ += batch.size();
  next_offset_ = Offset(last_offset + 1);
  max_timestamp_ = std::max(max_timestamp_, max_timestamp);
  bytes_since_entry_ += batch.size();
  if (bytes_since_entry_ < index_interval_bytes_) return Status::Ok();
  // The engine's rule (segment.cc NoteBatch), so the output looks exactly
  // like a segment the engine wrote and sealed.
  const log::OffsetIndexEntry entry{static_cast<uint32_t>(last_offset - base_.value()),
                                    static_cast<uint32_t>(position)};
  if (index_.CanAppend(entry)) index_.Append(entry);
  const log::TimeIndexEntry time_entry{max_timestamp_, entry.relative_offset};
  if (max_timestamp_ >= 0 && time_index_.CanAppend(time_entry)) time_index_.Append(time_entry);
  bytes_since_entry_ = 0;
  return Status::Ok();
}

CleanedSegment::Mark CleanedSegment::GetMark() const {
  return {size_,        index_.size(), time_index_.size(), bytes_since_entry_, max_timestamp_,
          next_offset_, changed_};
}

Status CleanedSegment::Rollback(const Mark& mark) {
  if (!dry_run_) {
    if (mark.size >= size_ - buffer_.size()) {
      buffer_.resize(static_cast<size_t>(mark.size - (size_ - buffer_.size())));
    } else {
      buffer_.clear();
      KQ_RETURN_IF_ERROR(log_->Truncate(mark.size));
    }
  }
  size_ = mark.size;
  while (index_.size() > mark.index_entries) index_.TruncateToPosition(index_.back().position);
  std::vector<log::TimeIndexEntry> times(
      time_index_.entries().begin(),
      time_index_.entries().begin() + static_cast<long>(mark.time_entries));
  time_index_.Clear();
  for (const auto& e : times) time_index_.Append(e);
  bytes_since_entry_ = mark.bytes_since_entry;
  max_timestamp_ = mark.max_timestamp;
  next_offset_ = mark.next_offset;
  changed_ = mark.changed;
  return Status::Ok();
}

Status CleanedSegment::Finish() {
  if (max_timestamp_ >= 0 && next_offset_ > base_) {
    const log::TimeIndexEntry last{max_timestamp_, static_cast<uint32_t>(next_offset_ - base_ - 1)};
    if (time_index_.CanAppend(last)) time_index_.Append(last);
  }
  if (dry_run_) return Status::Ok();
  KQ_RETURN_IF_ERROR(FlushBuffer());
  KQ_RETURN_IF_ERROR(log_->Sync());
  KQ_RETURN_IF_ERROR(log_->Close());
  std::string bytes;
  for (const auto& e : index_.entries()) log::OffsetIndex::Encode(e, &bytes);
  KQ_ASSIGN_OR_RETURN(auto index, env_->CreateTruncated(index_path_));
  KQ_RETURN_IF_ERROR(index->Append(bytes));
  KQ_RETURN_IF_ERROR(index->Sync());
  KQ_RETURN_IF_ERROR(index->Close());
  bytes.clear();
  for (const auto& e : time_index_.entries()) log::TimeIndex::Encode(e, &bytes);
  KQ_ASSIGN_OR_RETURN(auto time_index, env_->CreateTruncated(time_index_path_));
  KQ_RETURN_IF_ERROR(time_index->Append(bytes));
  KQ_RETURN_IF_ERROR(time_index->Sync());
  return time_index->Close();
}

Status CleanedSegment::Abort() {
  if (dry_run_) return Status::Ok();
  if (log_) (void)log_->Close();
  for (const std::string& path : {index_path_, time_index_path_, log_path_}) {
    Status s = env_->RemoveFile(path);
    if (!s.ok() && !s.IsNotFound()) return s;
  }
  return Status::Ok();
}

}  // namespace kq::maint
