// PartitionReader: one partition as a consumer sees it. Opens the partition
// read-only (no lock), positions itself from a StartPosition, and hands out
// the deliverable records of one batch at a time: control batches are
// skipped, records before the position are dropped (a read starts at the
// batch holding the position), and reading stops at an optional stop offset
// (the log end as it was when reading started) and an optional end timestamp.
//
//   PartitionReader r = ...;             // Open + Seek
//   while (true) {
//     KQ_ASSIGN_OR_RETURN(bool any, r.FillPending());
//     if (!any) break;                   // caught up or done
//     while (r.has_pending()) { print(r.front()); r.Pop(); }
//   }
//
// Record views point into the reader's current chunk (or its decompression
// scratch) and stay valid until the next FillPending.
//
// Thread safety: one thread at a time. The Env must outlive the reader.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "base/strong_types.h"
#include "format/record.h"
#include "io/env.h"
#include "log/partition.h"

namespace kq::client {

// Where reading a partition starts. Out-of-range offsets are clamped to
// [log start, log end], as Kafka's auto.offset.reset would move them.
struct StartPosition {
  enum class Kind {
    kBeginning,  // the log start offset
    kEnd,        // the log end: only records written from now on
    kOffset,     // value: an absolute offset
    kFromEnd,    // value: N, the last N offsets (max(log start, end - N))
    kTimestamp,  // value: epoch ms; the first record with timestamp >= value
  };
  Kind kind = Kind::kBeginning;
  int64_t value = 0;

  static StartPosition Beginning() { return {}; }
  static StartPosition End() { return {Kind::kEnd, 0}; }
  static StartPosition AtOffset(int64_t o) { return {Kind::kOffset, o}; }
  static StartPosition FromEnd(int64_t n) { return {Kind::kFromEnd, n}; }
  static StartPosition AtTimestamp(int64_t ms) { return {Kind::kTimestamp, ms}; }
};

// Called when records a reader was to read next are gone (removed by
// retention, trim or truncation, or a start below the log start): reading
// continues at `resumed_at`, as Kafka's earliest reset does.
using SkippedFn = std::function<void(std::string_view topic, int32_t partition, Offset wanted,
                                     Offset resumed_at)>;

struct PartitionReaderOptions {
  io::Env* env = nullptr;               // required
  size_t read_bytes = size_t{1} << 20;  // bytes per Partition::Read
  // When set (and smaller), the first Read after a Seek asks for this much
  // and each next one for twice as much, up to read_bytes: a read that ends
  // soon after its start (kq-sql's time ranges) reads little past its end.
  size_t first_read_bytes = 0;
  SkippedFn on_skipped;  // optional
};

class PartitionReader {
 public:
  // Opens `dir` (the folder of topic-partition) read-only.
  static Result<std::unique_ptr<PartitionReader>> Open(const std::string& dir, std::string topic,
                                                       int32_t partition,
                                                       const PartitionReaderOptions& options);

  // Sets the position from `start` against the log as it is now.
  Status Seek(const StartPosition& start);
  // Reading ends before `stop` (nullopt: never, for followers).
  void set_stop_offset(std::optional<Offset> stop) { stop_ = stop; }
  // Reading ends at the first record whose timestamp is >= `ms`.
  void set_end_timestamp(std::optional<int64_t> ms) { end_timestamp_ = ms; }

  // Picks up other processes' appends (Partition::Refresh).
  Status Refresh();

  // Decodes the next batch that has deliverable records into pending(),
  // reading a chunk when the current one is used up. False when there is
  // nothing to deliver now: the position has reached the log end (as of the
  // last Refresh) or the reader is done(). REQUIRES: !has_pending().
  // Corruption names the topic-partition, file, byte position and offset.
  Result<bool> FillPending();
  // The next undelivered record decoded by FillPending; its views are valid
  // until the next FillPending. REQUIRES: has_pending().
  bool has_pending() const { return pending_at_ < pending_count_; }
  const format::RecordView& front() const { return pending_[pending_at_]; }
  // Whether the batch of front() has LogAppendTime timestamps.
  bool pending_log_append_time() const { return pending_log_append_time_; }
  // Marks front() delivered: the position moves past it, and past the rest
  // of its batch (offsets compaction removed) once the batch is used up.
  void Pop();

  // True once the stop offset or end timestamp has been reached.
  bool done() const;
  // The next offset to deliver; what a group commits.
  Offset position() const { return position_; }
  Offset log_end_offset() const { return partition_->log_end_offset(); }
  Offset log_start_offset() const { return partition_->log_start_offset(); }
  const std::string& topic() const { return topic_; }
  int32_t partition() const { return partition_id_; }
  const std::string& dir() const { return partition_->dir(); }
  // The leader epoch of the last delivered batch (-1 before any).
  int32_t last_epoch() const { return last_epoch_; }

 private:
  PartitionReader(std::unique_ptr<log::Partition> p, std::string topic, int32_t partition,
                  const PartitionReaderOptions& options);

  Status CheckEnd();
  Result<bool> NextChunk();
  // Moves the position up to `start` when it is below, telling on_skipped.
  void SkipTo(Offset start);
  Status DecodeBatch(std::string_view batch);
  Status BatchError(const Status& s, int64_t base_offset) const;

  std::unique_ptr<log::Partition> partition_;
  std::string topic_;
  int32_t partition_id_;
  PartitionReaderOptions options_;
  Offset position_{0};
  size_t next_read_bytes_ = 0;  // see first_read_bytes
  std::optional<Offset> stop_;
  std::optional<int64_t> end_timestamp_;
  bool end_timestamp_reached_ = false;
  int32_t last_epoch_ = -1;

  std::string chunk_;                        // whole batches from the last Read
  size_t chunk_at_ = 0;                      // next batch inside chunk_
  std::string scratch_;                      // decompressed records of the current batch
  std::vector<format::RecordView> pending_;  // grown, never shrunk: views reuse capacity
  size_t pending_count_ = 0;
  size_t pending_at_ = 0;
  bool pending_log_append_time_ = false;
  Offset pending_next_{0};  // one past the batch of pending()
};

}  // namespace kq::client
