// Records inside a RecordBatch v2: decoding (views into the batch, or into
// the decompressed records section) and the per-record encoding used by the
// builder. Grammar (all varints zigzag, see base/encoding.h):
//
//   record := length:varint attributes:int8 timestampDelta:varlong
//             offsetDelta:varint keyLength:varint key:bytes[keyLength]
//             valueLength:varint value:bytes[valueLength]
//             headerCount:varint header[headerCount]
//   header := keyLength:varint key:bytes valueLength:varint value:bytes
//   keyLength / valueLength -1 = null (header keys are never null).
//
// No I/O. Views returned here point into the caller's buffers and are valid
// while those buffers are.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "format/record_batch.h"

namespace kq::format {

struct HeaderView {
  std::string_view key;
  std::optional<std::string_view> value;  // nullopt = null
};

struct RecordView {
  int64_t offset = 0;  // absolute: batch base offset + offset delta
  int32_t offset_delta = 0;
  int64_t timestamp = -1;               // absolute (LogAppendTime batches: the batch max timestamp)
  std::optional<std::string_view> key;  // nullopt = null key
  std::optional<std::string_view> value;  // nullopt = null value (tombstone)
  std::vector<HeaderView> headers;
};

// Calls `fn` for each record of a whole, validated batch, in order. The
// framing (length field vs. batch.size()) is re-checked, the CRC is not
// (ValidateBatch's job). The RecordView passed to fn is reused between calls:
// copy what must outlive the call. Control batches are decoded like any
// other; callers decide whether to skip them. Offset deltas must increase
// strictly and not exceed lastOffsetDelta, and the number of records must
// equal recordsCount. Unsupported codecs are NotSupported (compression.h).
// Compressed batches are decompressed into *scratch (at most
// `max_decompressed_bytes`; larger is Corruption). Stops at the first non-OK
// status from `fn` and returns it. A malformed record is Corruption naming the
// record index and the byte position inside the records section.
Status ForEachRecord(std::string_view batch, std::string* scratch,
                     const std::function<Status(const RecordView&)>& fn,
                     size_t max_decompressed_bytes = kDefaultMaxBatchBytes * 4);

// Appends one encoded record (length prefix included) to *dst, growing it
// once. REQUIRES: key, value and header sizes and the whole record fit in int32.
void EncodeRecord(std::string* dst, int64_t timestamp_delta, int32_t offset_delta,
                  std::optional<std::string_view> key, std::optional<std::string_view> value,
                  std::span<const HeaderView> headers);

// The bytes EncodeRecord would append for the same arguments.
size_t EncodedRecordSize(int64_t timestamp_delta, int32_t offset_delta,
                         std::optional<std::string_view> key, std::optional<std::string_view> value,
                         std::span<const HeaderView> headers);

}  // namespace kq::format
