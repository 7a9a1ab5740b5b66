#include "format/record_batch.h"

#include <fmt/format.h>

#include "base/crc32c.h"
#include "base/encoding.h"

namespace kq::format {

Result<BatchHeader> DecodeBatchHeader(std::string_view bytes) {
  if (bytes.size() < kBatchHeaderSize) {
    return Status::Corruption(
        fmt::format("batch header needs {} bytes, {} available", kBatchHeaderSize, bytes.size()));
  }
  const char* p = bytes.data();
  BatchHeader h;
  h.base_offset = static_cast<int64_t>(DecodeFixed64BE(p + kBaseOffsetPos));
  h.batch_length = static_cast<int32_t>(DecodeFixed32BE(p + kBatchLengthPos));
  h.partition_leader_epoch = static_cast<int32_t>(DecodeFixed32BE(p + kPartitionLeaderEpochPos));
  h.magic = static_cast<int8_t>(p[kMagicPos]);
  h.crc = DecodeFixed32BE(p + kCrcPos);
  h.attributes = static_cast<int16_t>(DecodeFixed16BE(p + kAttributesPos));
  h.last_offset_delta = static_cast<int32_t>(DecodeFixed32BE(p + kLastOffsetDeltaPos));
  h.base_timestamp = static_cast<int64_t>(DecodeFixed64BE(p + kBaseTimestampPos));
  h.max_timestamp = static_cast<int64_t>(DecodeFixed64BE(p + kMaxTimestampPos));
  h.producer_id = static_cast<int64_t>(DecodeFixed64BE(p + kProducerIdPos));
  h.producer_epoch = static_cast<int16_t>(DecodeFixed16BE(p + kProducerEpochPos));
  h.base_sequence = static_cast<int32_t>(DecodeFixed32BE(p + kBaseSequencePos));
  h.records_count = static_cast<int32_t>(DecodeFixed32BE(p + kRecordsCountPos));
  return h;
}

void EncodeBatchHeader(const BatchHeader& h, char* p) {
  EncodeFixed64BE(p + kBaseOffsetPos, static_cast<uint64_t>(h.base_offset));
  EncodeFixed32BE(p + kBatchLengthPos, static_cast<uint32_t>(h.batch_length));
  EncodeFixed32BE(p + kPartitionLeaderEpochPos, static_cast<uint32_t>(h.partition_leader_epoch));
  p[kMagicPos] = static_cast<char>(h.magic);
  EncodeFixed32BE(p + kCrcPos, h.crc);
  EncodeFixed16BE(p + kAttributesPos, static_cast<uint16_t>(h.attributes));
  EncodeFixed32BE(p + kLastOffsetDeltaPos, static_cast<uint32_t>(h.last_offset_delta));
  EncodeFixed64BE(p + kBaseTimestampPos, static_cast<uint64_t>(h.base_timestamp));
  EncodeFixed64BE(p + kMaxTimestampPos, static_cast<uint64_t>(h.max_timestamp));
  EncodeFixed64BE(p + kProducerIdPos, static_cast<uint64_t>(h.producer_id));
  EncodeFixed16BE(p + kProducerEpochPos, static_cast<uint16_t>(h.producer_epoch));
  EncodeFixed32BE(p + kBaseSequencePos, static_cast<uint32_t>(h.base_sequence));
  EncodeFixed32BE(p + kRecordsCountPos, static_cast<uint32_t>(h.records_count));
}

FrameProbe ProbeFrame(std::string_view data, size_t max_batch_bytes) {
  FrameProbe probe;
  if (data.size() < kFramePrefixSize) return probe;  // kIncomplete
  const auto length = static_cast<int32_t>(DecodeFixed32BE(data.data() + kBatchLengthPos));
  const auto magic = static_cast<int8_t>(data[kMagicPos]);
  if (length < kMinBatchLength) {
    probe.state = FrameState::kCorrupt;
    probe.problem = fmt::format("batch length {} is below the minimum {}", length, kMinBatchLength);
    return probe;
  }
  probe.size = kLogOverhead + static_cast<size_t>(length);
  if (probe.size > max_batch_bytes) {
    probe.state = FrameState::kCorrupt;
    probe.problem =
        fmt::format("batch length {} exceeds the limit of {} bytes", length, max_batch_bytes);
    return probe;
  }
  if (magic != kMagicV2) {
    probe.state = FrameState::kCorrupt;
    probe.problem =
        fmt::format("magic byte is {}, expected 2 (only RecordBatch v2 is supported)", magic);
    return probe;
  }
  probe.state = data.size() >= probe.size ? FrameState::kComplete : FrameState::kIncomplete;
  return probe;
}

uint32_t ComputeBatchCrc(std::string_view batch) {
  return crc32c::Value(batch.substr(kAttributesPos));
}

void FinishCrc(char* batch, size_t size) {
  EncodeFixed32BE(batch + kCrcPos, ComputeBatchCrc(std::string_view(batch, size)));
}

Status ValidateBatch(std::string_view batch) {
  const FrameProbe probe = ProbeFrame(batch, SIZE_MAX);
  if (probe.state == FrameState::kCorrupt) return Status::Corruption(probe.problem);
  if (probe.size != batch.size() || batch.size() < kBatchHeaderSize) {
    return Status::Corruption(fmt::format("batch length field says {} bytes, the batch has {}",
                                          probe.size, batch.size()));
  }
  KQ_ASSIGN_OR_RETURN(BatchHeader h, DecodeBatchHeader(batch));
  if (h.last_offset_delta < 0) {
    return Status::Corruption(fmt::format("negative lastOffsetDelta {}", h.last_offset_delta));
  }
  if (h.records_count < 0) {
    return Status::Corruption(fmt::format("negative record count {}", h.records_count));
  }
  const uint32_t computed = ComputeBatchCrc(batch);
  if (computed != h.crc) {
    return Status::Corruption(
        fmt::format("CRC mismatch (stored {:08x}, computed {:08x})", h.crc, computed));
  }
  return Status::Ok();
}

void SetBaseOffset(char* batch, int64_t base_offset) {
  EncodeFixed64BE(batch + kBaseOffsetPos, static_cast<uint64_t>(base_offset));
}

void SetPartitionLeaderEpoch(char* batch, int32_t epoch) {
  EncodeFixed32BE(batch + kPartitionLeaderEpochPos, static_cast<uint32_t>(epoch));
}

}  // namespace kq::format
