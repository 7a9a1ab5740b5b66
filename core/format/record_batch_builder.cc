#include "format/record_batch_builder.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace kq::format {

namespace {

// Upper bound of the reservation carried from one batch to the next, so one
// huge batch does not make every later buffer huge.
constexpr size_t kMaxReserveHint = size_t{1} << 20;

// Leaves room for the varints around the fields inside an int32 length.
constexpr size_t kMaxRecordPayload = std::numeric_limits<int32_t>::max() / 2;

size_t FieldSize(std::optional<std::string_view> bytes) { return bytes ? bytes->size() : 0; }

int16_t Attributes(const RecordBatchBuilder::Options& o) {
  int16_t a = static_cast<int16_t>(static_cast<int16_t>(o.compression) & kCompressionMask);
  if (o.log_append_time) a |= kTimestampTypeBit;
  if (o.is_transactional) a |= kTransactionalBit;
  if (o.is_control) a |= kControlBit;
  if (o.delete_horizon) a |= kDeleteHorizonBit;
  return a;
}

}  // namespace

RecordBatchBuilder::RecordBatchBuilder(const Options& options) { Reset(options); }

void RecordBatchBuilder::Reset() { Reset(options_); }

void RecordBatchBuilder::Reset(const Options& options) {
  options_ = options;
  buffer_.reserve(std::clamp(last_size_, kBatchHeaderSize, kMaxReserveHint));
  buffer_.assign(kBatchHeaderSize, '\0');
  record_count_ = 0;
  last_offset_delta_ = -1;
  base_timestamp_ = options_.base_timestamp.value_or(-1);
  max_timestamp_ = -1;
  too_large_ = false;
}

void RecordBatchBuilder::Add(int64_t timestamp, std::optional<std::string_view> key,
                             std::optional<std::string_view> value,
                             std::span<const HeaderView> headers) {
  if (last_offset_delta_ >= std::numeric_limits<int32_t>::max()) {
    too_large_ = true;
    return;
  }
  AppendRecord(static_cast<int32_t>(last_offset_delta_ + 1), timestamp, key, value, headers);
}

Status RecordBatchBuilder::AddWithOffsetDelta(int32_t offset_delta, int64_t timestamp,
                                              std::optional<std::string_view> key,
                                              std::optional<std::string_view> value,
                                              std::span<const HeaderView> headers) {
  if (offset_delta <= last_offset_delta_) {
    return Status::InvalidArgument(
        fmt::format("offset delta {} must be greater than the previous record's {}", offset_delta,
                    last_offset_delta_));
  }
  AppendRecord(offset_delta, timestamp, key, value, headers);
  return Status::Ok();
}

void RecordBatchBuilder::AppendRecord(int32_t offset_delta, int64_t timestamp,
                                      std::optional<std::string_view> key,
                                      std::optional<std::string_view> value,
                                      std::span<const HeaderView> headers) {
  if (record_count_ == 0 && !options_.base_timestamp.has_value()) base_timestamp_ = timestamp;
  // The delta wraps like Kafka's long arithmetic; decoding adds it back.
  const auto timestamp_delta = static_cast<int64_t>(static_cast<uint64_t>(timestamp) -
                                                    static_cast<uint64_t>(base_timestamp_));
  // The record (fields plus varint overhead) must fit its int32 length.
  size_t payload = FieldSize(key) + FieldSize(value);
  for (const HeaderView& h : headers) payload += h.key.size() + FieldSize(h.value);
  if (payload > kMaxRecordPayload || headers.size() > kMaxRecordPayload / 16 ||
      record_count_ == std::numeric_limits<int32_t>::max()) {
    too_large_ = true;
    return;
  }
  EncodeRecord(&buffer_, timestamp_delta, offset_delta, key, value, headers);
  ++record_count_;
  last_offset_delta_ = offset_delta;
  max_timestamp_ = std::max(max_timestamp_, timestamp);
}

Status RecordBatchBuilder::CheckFinishable() const {
  KQ_RETURN_IF_ERROR(
      CheckCompressionSupported(options_.compression).WithPrefix("cannot build batch"));
  if (too_large_) {
    return Status::InvalidArgument(
        "cannot build batch: a record, its fields or the record count exceed the format's int32 "
        "limits");
  }
  if (options_.delete_horizon && !options_.base_timestamp.has_value()) {
    return Status::InvalidArgument("cannot build batch: a delete horizon needs base_timestamp");
  }
  if (options_.last_offset_delta.has_value() &&
      (*options_.last_offset_delta < 0 || *options_.last_offset_delta < last_offset_delta_)) {
    return Status::InvalidArgument(fmt::format(
        "cannot build batch: last_offset_delta {} is below the last record's offset delta {}",
        *options_.last_offset_delta, last_offset_delta_));
  }
  return Status::Ok();
}

Result<std::string> RecordBatchBuilder::Finish() {
  last_size_ = buffer_.size();
  Result<std::string> batch = Build();
  Reset();
  return batch;
}

Result<std::string> RecordBatchBuilder::Build() {
  KQ_RETURN_IF_ERROR(CheckFinishable());
  std::string batch;
  if (options_.compression == Compression::kNone) {
    batch = std::move(buffer_);
  } else {
    const std::string_view records = std::string_view(buffer_).substr(kBatchHeaderSize);
    batch.reserve(kBatchHeaderSize + records.size() / 2);
    batch.assign(kBatchHeaderSize, '\0');
    KQ_RETURN_IF_ERROR(
        CompressRecords(options_.compression, records, &batch, options_.compression_level));
  }
  if (batch.size() - kLogOverhead > static_cast<size_t>(std::numeric_limits<int32_t>::max())) {
    return Status::InvalidArgument(
        fmt::format("cannot build batch: {} bytes exceed the format's 2 GiB limit", batch.size()));
  }
  BatchHeader h;
  h.base_offset = options_.base_offset;
  h.batch_length = static_cast<int32_t>(batch.size() - kLogOverhead);
  h.partition_leader_epoch = options_.partition_leader_epoch;
  h.magic = kMagicV2;
  h.attributes = Attributes(options_);
  h.last_offset_delta = options_.last_offset_delta.value_or(
      static_cast<int32_t>(std::max<int64_t>(last_offset_delta_, 0)));
  h.base_timestamp = base_timestamp_;
  // Kafka writes an empty batch with maxTimestamp = baseTimestamp.
  h.max_timestamp = record_count_ == 0 ? base_timestamp_ : max_timestamp_;
  h.producer_id = options_.producer_id;
  h.producer_epoch = options_.producer_epoch;
  h.base_sequence = options_.base_sequence;
  h.records_count = record_count_;
  EncodeBatchHeader(h, batch.data());
  FinishCrc(batch.data(), batch.size());
  return batch;
}

}  // namespace kq::format
