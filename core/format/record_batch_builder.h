// RecordBatchBuilder: builds one RecordBatch v2 (record_batch.h) from records.
//
//   RecordBatchBuilder b({.compression = Compression::kZstd});
//   b.Add(ts, "key", "value", {});
//   b.Add(ts + 1, std::nullopt, "no key", headers);
//   KQ_ASSIGN_OR_RETURN(std::string batch, b.Finish());
//
// Records are encoded as they are added into one growing buffer that already
// holds room for the 61-byte header, so Add costs one buffer append and an
// uncompressed Finish hands that buffer over without copying. Finish
// back-patches the header (length, lastOffsetDelta, timestamps, count) and
// computes the CRC last.
//
// Compaction rebuilds batches with the original offsets: AddWithOffsetDelta
// keeps gaps, and Options::last_offset_delta / base_timestamp keep the
// original lastOffsetDelta and set a delete horizon (record timestamps are
// then encoded relative to that horizon, as Kafka's cleaner does).
//
// Thread safety: none; one builder per thread.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/result.h"
#include "base/status.h"
#include "format/compression.h"
#include "format/record.h"
#include "format/record_batch.h"

namespace kq::format {

class RecordBatchBuilder {
 public:
  struct Options {
    // Codec of the records section: any of Kafka's five (compression.h); 5-7 fail in Finish.
    Compression compression = Compression::kNone;
    // zstd level (kZstd only).
    int compression_level = kDefaultZstdLevel;
    // Header fields copied as given. A log overwrites base_offset and
    // partition_leader_epoch on append; producers send 0 and -1.
    int64_t base_offset = 0;
    int32_t partition_leader_epoch = -1;
    // Idempotent producer state; -1 = none.
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t base_sequence = -1;
    // Attribute bits.
    bool is_control = false;
    bool is_transactional = false;
    bool log_append_time = false;
    // Default: the last record's offset delta (0 for an empty batch). A
    // compactor keeps the original batch's value; must be >= the last delta.
    std::optional<int32_t> last_offset_delta = std::nullopt;
    // Default: the first record's timestamp (-1 for an empty batch). Must be
    // set before the first Add, because record timestamps are stored as
    // deltas from it.
    std::optional<int64_t> base_timestamp = std::nullopt;
    // Sets attribute bit 6: base_timestamp is a delete horizon (KIP-534).
    // REQUIRES: base_timestamp is set.
    bool delete_horizon = false;
  };

  RecordBatchBuilder() : RecordBatchBuilder(Options{}) {}
  explicit RecordBatchBuilder(const Options& options);

  RecordBatchBuilder(const RecordBatchBuilder&) = delete;
  RecordBatchBuilder& operator=(const RecordBatchBuilder&) = delete;
  RecordBatchBuilder(RecordBatchBuilder&&) = default;
  RecordBatchBuilder& operator=(RecordBatchBuilder&&) = default;

  // Appends a record with the next offset delta (0, 1, 2, ... or one past the
  // last AddWithOffsetDelta). The bytes are copied; the views need not
  // outlive the call. A record too large for the format (> 2 GiB) makes
  // Finish fail.
  void Add(int64_t timestamp, std::optional<std::string_view> key,
           std::optional<std::string_view> value, std::span<const HeaderView> headers = {});

  // Appends a record with an explicit offset delta. InvalidArgument (and
  // nothing appended) unless offset_delta is greater than every delta so far.
  Status AddWithOffsetDelta(int32_t offset_delta, int64_t timestamp,
                            std::optional<std::string_view> key,
                            std::optional<std::string_view> value,
                            std::span<const HeaderView> headers = {});

  int32_t record_count() const { return record_count_; }
  bool empty() const { return record_count_ == 0; }
  // Size of the batch if finished uncompressed (an upper estimate for zstd).
  size_t size_bytes() const { return buffer_.size(); }
  const Options& options() const { return options_; }

  // Produces the whole batch and resets the builder (same options), also on
  // failure.
  // InvalidArgument for an unsupported codec, a last_offset_delta override
  // below the last record's delta, a delete horizon without base_timestamp,
  // or a batch larger than int32 can describe.
  Result<std::string> Finish();

  // Drops all records; keeps (or replaces) the options.
  void Reset();
  void Reset(const Options& options);

 private:
  void AppendRecord(int32_t offset_delta, int64_t timestamp, std::optional<std::string_view> key,
                    std::optional<std::string_view> value, std::span<const HeaderView> headers);
  Status CheckFinishable() const;
  // Finish without the reset; may move buffer_ out.
  Result<std::string> Build();

  Options options_;
  // kBatchHeaderSize placeholder bytes, then the encoded records.
  std::string buffer_;
  int32_t record_count_ = 0;
  int64_t last_offset_delta_ = -1;  // int64: "one past" never overflows
  int64_t base_timestamp_ = -1;
  int64_t max_timestamp_ = -1;
  bool too_large_ = false;  // a record or delta did not fit the format
  // Size of the last finished batch: the next buffer reserves that much, so
  // a steady stream of similar batches does not regrow from 61 bytes.
  size_t last_size_ = 0;
};

}  // namespace kq::format
