#include "client/consumer_partition.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/encoding.h"
#include "format/record_batch.h"

namespace kq::client {

PartitionReader::PartitionReader(std::unique_ptr<log::Partition> p, std::string topic,
                                 int32_t partition, const PartitionReaderOptions& options)
    : partition_(std::move(p)),
      topic_(std::move(topic)),
      partition_id_(partition),
      options_(options) {}

Result<std::unique_ptr<PartitionReader>> PartitionReader::Open(
    const std::string& dir, std::string topic, int32_t partition,
    const PartitionReaderOptions& options) {
  log::PartitionOptions popts;
  popts.env = options.env;
  popts.topic = topic;
  popts.partition = PartitionId(partition);
  popts.verify_reads = true;  // a consumer never prints bytes whose CRC fails
  KQ_ASSIGN_OR_RETURN(auto p, log::Partition::Open(dir, popts, log::OpenMode::kRead));
  std::unique_ptr<PartitionReader> reader(
      new PartitionReader(std::move(p), std::move(topic), partition, options));
  reader->position_ = reader->partition_->log_start_offset();
  return reader;
}

Status PartitionReader::Seek(const StartPosition& start) {
  const Offset begin = partition_->log_start_offset();
  const Offset end = partition_->log_end_offset();
  Offset target = begin;
  switch (start.kind) {
    case StartPosition::Kind::kBeginning:
      target = begin;
      break;
    case StartPosition::Kind::kEnd:
      target = end;
      break;
    case StartPosition::Kind::kOffset:
      target = Offset(start.value);
      break;
    case StartPosition::Kind::kFromEnd:
      // The last N that exist: fewer when some are gone, and that is not a
      // skip worth a note, since nothing asked for was passed over.
      target = std::max(begin, Offset(end.value() - std::min<int64_t>(start.value, end.value())));
      break;
    case StartPosition::Kind::kTimestamp: {
      KQ_ASSIGN_OR_RETURN(target, partition_->OffsetForTimestamp(start.value));
      break;
    }
  }
  position_ = std::min(target, end);
  SkipTo(begin);
  chunk_.clear();
  chunk_at_ = 0;
  pending_count_ = pending_at_ = 0;
  if (options_.first_read_bytes > 0) {
    next_read_bytes_ = std::min(options_.first_read_bytes, options_.read_bytes);
  }
  return Status::Ok();
}

Status PartitionReader::Refresh() { return partition_->Refresh(); }

void PartitionReader::SkipTo(Offset start) {
  if (position_ >= start) return;
  if (options_.on_skipped) options_.on_skipped(topic_, partition_id_, position_, start);
  position_ = start;
}

bool PartitionReader::done() const {
  return end_timestamp_reached_ || (stop_.has_value() && position_ >= *stop_);
}

void PartitionReader::Pop() {
  position_ = Offset(pending_[pending_at_].offset + 1);
  if (++pending_at_ < pending_count_) return;
  pending_at_ = pending_count_ = 0;
  // A whole batch delivered: skip the offsets compaction removed at its end.
  // Not after an end timestamp: the rest of the batch was never delivered.
  if (!end_timestamp_reached_) position_ = std::max(position_, pending_next_);
}

Result<bool> PartitionReader::NextChunk() {
  // Retention removed what we were about to read: continue at the new
  // start, as Kafka's earliest reset does.
  SkipTo(partition_->log_start_offset());
  if (position_ >= partition_->log_end_offset()) {
    KQ_RETURN_IF_ERROR(CheckEnd());
    return false;
  }
  const size_t want = next_read_bytes_ > 0 ? next_read_bytes_ : options_.read_bytes;
  auto chunk = partition_->Read(position_, want);
  // Twice as much next time, and never less than a batch as large as this
  // chunk: a read shorter than its first batch reads that batch twice.
  if (next_read_bytes_ > 0 && chunk.ok()) {
    next_read_bytes_ = std::min(options_.read_bytes, 2 * std::max(want, chunk->bytes.size()));
  }
  if (!chunk.ok()) {
    if (chunk.status().IsOutOfRange()) {
      // Truncated or trimmed under us: re-read the log's state next time.
      KQ_RETURN_IF_ERROR(partition_->Refresh());
      position_ = std::min(position_, partition_->log_end_offset());
      SkipTo(partition_->log_start_offset());
      return false;
    }
    return chunk.status();
  }
  chunk_ = std::move(chunk->bytes);
  chunk_at_ = 0;
  return !chunk_.empty();
}

Result<bool> PartitionReader::FillPending() {
  pending_count_ = pending_at_ = 0;
  while (!done()) {
    if (chunk_at_ >= chunk_.size()) {
      KQ_ASSIGN_OR_RETURN(bool more, NextChunk());
      if (!more) return false;
    }
    // Partition::Read hands out whole, validated batches only.
    std::string_view rest = std::string_view(chunk_).substr(chunk_at_);
    const size_t size =
        format::kLogOverhead + DecodeFixed32BE(rest.data() + format::kBatchLengthPos);
    std::string_view batch = rest.substr(0, size);
    chunk_at_ += size;
    KQ_RETURN_IF_ERROR(DecodeBatch(batch));
    if (pending_count_ > 0) return true;
    // Nothing deliverable in this batch (control, or before the position).
    if (!done()) position_ = std::max(position_, pending_next_);
  }
  KQ_RETURN_IF_ERROR(CheckEnd());
  return false;
}

Status PartitionReader::CheckEnd() {
  // At the end of the log, a read reports bytes after the last batch that
  // cannot be one (rather than a reader ending there quietly).
  if (position_ != partition_->log_end_offset()) return Status::Ok();
  return partition_->Read(position_, 1).status();
}

Status PartitionReader::DecodeBatch(std::string_view batch) {
  KQ_ASSIGN_OR_RETURN(format::BatchHeader h, format::DecodeBatchHeader(batch));
  pending_next_ = Offset(h.next_offset());
  pending_log_append_time_ = h.is_log_append_time();
  if (h.next_offset() <= position_.value()) return Status::Ok();
  if (stop_.has_value() && h.base_offset >= stop_->value()) {
    position_ = std::max(position_, *stop_);
    return Status::Ok();
  }
  last_epoch_ = h.partition_leader_epoch;
  if (h.is_control()) return Status::Ok();  // transaction markers are not data
  const int64_t from = position_.value();
  const int64_t stop = stop_.has_value() ? stop_->value() : INT64_MAX;
  Status s = format::ForEachRecord(batch, &scratch_, [&](const format::RecordView& r) {
    if (r.offset < from) return Status::Ok();
    if (r.offset >= stop || end_timestamp_reached_) return Status::Ok();
    if (end_timestamp_.has_value() && r.timestamp >= *end_timestamp_) {
      end_timestamp_reached_ = true;
      return Status::Ok();
    }
    if (pending_count_ == pending_.size()) pending_.emplace_back();
    pending_[pending_count_++] = r;  // copy-assign reuses the headers' capacity
    return Status::Ok();
  });
  if (!s.ok()) {
    pending_count_ = 0;
    return BatchError(s, h.base_offset);
  }
  return Status::Ok();
}

Status PartitionReader::BatchError(const Status& s, int64_t base_offset) const {
  // Name the segment file that holds the batch; the record decoder already
  // gave the position inside the records section.
  std::string file = partition_->dir();
  for (const log::SegmentInfo& seg : partition_->Segments()) {
    if (seg.base_offset.value() <= base_offset) file = seg.log_path;
  }
  return s.WithPrefix(
      fmt::format("partition {}: {}: batch at offset {}", partition_->Name(), file, base_offset));
}

}  // namespace kq::client
