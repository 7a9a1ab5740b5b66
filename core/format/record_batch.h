// RecordBatch v2 (magic 2): the one format kq uses on disk, on the wire and
// in replication streams. This file reads and checks the 61-byte header and
// the framing; records inside a batch are in record.h, building batches in
// record_batch_builder.h. No I/O here. Grammar and worked example:
// core/FORMAT.md, "RecordBatch v2".
//
//   batch := baseOffset:int64 batchLength:int32 partitionLeaderEpoch:int32
//            magic:int8(=2) crc:uint32 attributes:int16 lastOffsetDelta:int32
//            baseTimestamp:int64 maxTimestamp:int64 producerId:int64
//            producerEpoch:int16 baseSequence:int32 recordsCount:int32
//            records:bytes[batchLength - 49]
//   All fixed-width integers big-endian. batchLength counts the bytes after
//   itself; the CRC-32C covers [attributes, end of batch). baseOffset,
//   batchLength, partitionLeaderEpoch and magic are outside it, so a log can
//   assign offsets and stamp epochs without recomputing the CRC.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"

namespace kq::format {

// Field positions inside the header: constexpr sums of the widths above.
constexpr size_t kBaseOffsetPos = 0;
constexpr size_t kBatchLengthPos = kBaseOffsetPos + 8;
constexpr size_t kPartitionLeaderEpochPos = kBatchLengthPos + 4;
constexpr size_t kMagicPos = kPartitionLeaderEpochPos + 4;
constexpr size_t kCrcPos = kMagicPos + 1;
constexpr size_t kAttributesPos = kCrcPos + 4;
constexpr size_t kLastOffsetDeltaPos = kAttributesPos + 2;
constexpr size_t kBaseTimestampPos = kLastOffsetDeltaPos + 4;
constexpr size_t kMaxTimestampPos = kBaseTimestampPos + 8;
constexpr size_t kProducerIdPos = kMaxTimestampPos + 8;
constexpr size_t kProducerEpochPos = kProducerIdPos + 8;
constexpr size_t kBaseSequencePos = kProducerEpochPos + 2;
constexpr size_t kRecordsCountPos = kBaseSequencePos + 4;
constexpr size_t kRecordsPos = kRecordsCountPos + 4;
constexpr size_t kBatchHeaderSize = kRecordsPos;
static_assert(kBatchHeaderSize == 61, "Kafka's RECORD_BATCH_OVERHEAD");
static_assert(kCrcPos == 17 && kAttributesPos == 21);

// baseOffset + batchLength: the bytes before what batchLength counts.
constexpr size_t kLogOverhead = kBatchLengthPos + 4;
// Bytes needed to read batchLength and magic.
constexpr size_t kFramePrefixSize = kMagicPos + 1;
constexpr int32_t kMinBatchLength = static_cast<int32_t>(kBatchHeaderSize - kLogOverhead);
constexpr int8_t kMagicV2 = 2;
// Default upper bound for one batch (Kafka's message.max.bytes is ~1 MiB;
// this only guards against garbage lengths).
constexpr size_t kDefaultMaxBatchBytes = size_t{64} << 20;

enum class Compression : int8_t { kNone = 0, kGzip = 1, kSnappy = 2, kLz4 = 3, kZstd = 4 };

// Attribute bits (int16).
constexpr int16_t kCompressionMask = 0x07;
constexpr int16_t kTimestampTypeBit = 0x08;  // 0 CreateTime, 1 LogAppendTime
constexpr int16_t kTransactionalBit = 0x10;
constexpr int16_t kControlBit = 0x20;
constexpr int16_t kDeleteHorizonBit = 0x40;

struct BatchHeader {
  int64_t base_offset = 0;
  int32_t batch_length = 0;
  int32_t partition_leader_epoch = -1;
  int8_t magic = kMagicV2;
  uint32_t crc = 0;
  int16_t attributes = 0;
  int32_t last_offset_delta = 0;
  int64_t base_timestamp = -1;
  int64_t max_timestamp = -1;
  int64_t producer_id = -1;
  int16_t producer_epoch = -1;
  int32_t base_sequence = -1;
  int32_t records_count = 0;

  size_t total_size() const { return kLogOverhead + static_cast<size_t>(batch_length); }
  int64_t last_offset() const { return base_offset + last_offset_delta; }
  int64_t next_offset() const { return last_offset() + 1; }
  Compression compression() const {
    return static_cast<Compression>(attributes & kCompressionMask);
  }
  bool is_control() const { return (attributes & kControlBit) != 0; }
  bool is_transactional() const { return (attributes & kTransactionalBit) != 0; }
  bool is_log_append_time() const { return (attributes & kTimestampTypeBit) != 0; }
  bool has_delete_horizon() const { return (attributes & kDeleteHorizonBit) != 0; }
};

// Decodes the header at the front of `bytes` (at least kBatchHeaderSize
// bytes). Checks nothing but the length: see ProbeFrame/ValidateBatch.
Result<BatchHeader> DecodeBatchHeader(std::string_view bytes);
// Writes `h` as 61 header bytes (the CRC field as given; see FinishCrc).
void EncodeBatchHeader(const BatchHeader& h, char* dst);

// What sits at the front of the rest of a log (or a stream).
enum class FrameState {
  kComplete,    // a whole frame of `size` bytes with a plausible header
  kIncomplete,  // too few bytes for the frame: a torn tail, or not yet written
  kCorrupt,     // impossible length or magic: not a batch boundary
};
struct FrameProbe {
  FrameState state = FrameState::kIncomplete;
  size_t size = 0;      // whole frame size when the length field was readable
  std::string problem;  // for kCorrupt: what is wrong, without position
};

// Looks only at batchLength and magic (and the bytes available), not the CRC.
FrameProbe ProbeFrame(std::string_view data, size_t max_batch_bytes = kDefaultMaxBatchBytes);

// Checks one whole batch: length agrees with the view, magic 2, header sane,
// CRC-32C matches. The message says which check failed and the values
// ("CRC mismatch (stored 1234abcd, computed 00ff00ff)"); callers prefix it
// with file, position and offset.
Status ValidateBatch(std::string_view batch);

// CRC-32C over [attributes, end) of a whole batch.
uint32_t ComputeBatchCrc(std::string_view batch);
// Recomputes and stores the CRC of a whole batch in place.
void FinishCrc(char* batch, size_t size);

// In-place patches of the fields outside the CRC (a log assigns these).
void SetBaseOffset(char* batch, int64_t base_offset);
void SetPartitionLeaderEpoch(char* batch, int32_t epoch);

}  // namespace kq::format
