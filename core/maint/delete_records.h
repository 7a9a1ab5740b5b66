// DeleteRecords: Kafka's DeleteRecords (kafka-delete-records, `kq-topics
// trim`) over a log directory. Each partition's log start offset (its low
// watermark) advances to a requested point; whole segments below it are
// removed, and records below it in the first remaining segment are no longer
// served (Partition::AdvanceLogStart).
//
// Where the new log start goes, per partition (DeleteBefore):
//   AtOffset(N)    N; past the log end (the high watermark) is OutOfRange,
//                  below the current log start changes nothing
//   AtTime(ms)     the first record with timestamp >= ms (the time index,
//                  Partition::OffsetForTimestamp), or the log end when none
//   KeepLast(n)    log end - n, so the last n offsets remain
//   End()          the log end: everything goes (Kafka's offset -1)
//
// Two steps, so a caller chooses between Kafka's per-partition semantics and
// all-or-nothing: PrepareDeleteRecords opens the partition for writing and
// resolves the point without changing anything; ApplyDeleteRecords moves the
// log start. DeleteRecords does both for each request on its own, as a
// broker's handler answers (one error per partition). `kq-topics trim`
// prepares every partition first and applies only when all succeeded.
//
// Durability: the log-start checkpoint and the removals are on disk when
// ApplyDeleteRecords returns (AdvanceLogStart syncs the directory).
// Concurrency: writers may append meanwhile; the log start is moved under the
// partition lock, which checks again that the point is not past the log end
// (a concurrent truncation makes it OutOfRange then).
// Thread safety: functions; a PendingDelete is used by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "log/log_dir.h"
#include "log/partition.h"

namespace kq::maint {

class DeleteBefore {
 public:
  enum class Kind { kOffset, kTime, kKeepLast, kEnd };

  static DeleteBefore AtOffset(Offset offset) { return {Kind::kOffset, offset.value()}; }
  static DeleteBefore AtTime(int64_t timestamp_ms) { return {Kind::kTime, timestamp_ms}; }
  static DeleteBefore KeepLast(int64_t records) { return {Kind::kKeepLast, records}; }
  static DeleteBefore End() { return {Kind::kEnd, 0}; }

  Kind kind() const { return kind_; }
  // The offset, the timestamp or the count, by kind().
  int64_t value() const { return value_; }

 private:
  DeleteBefore(Kind kind, int64_t value) : kind_(kind), value_(value) {}
  Kind kind_;
  int64_t value_;
};

struct DeleteRecordsRequest {
  std::string topic;
  PartitionId partition;
  DeleteBefore before = DeleteBefore::End();
};

struct DeleteRecordsOptions {
  // Also count the records deleted (exact, from batch headers; reads the
  // header of every batch, so a broker leaves it off).
  bool count_records = false;
};

struct DeleteRecordsResult {
  std::string topic;
  PartitionId partition;
  Status status;                      // this partition's error; the fields below are valid when OK
  Offset previous_low_watermark{-1};  // the log start before
  Offset low_watermark{-1};           // the log start after
  Offset high_watermark{-1};          // the log end seen when resolving
  uint64_t records_deleted = 0;       // with count_records
};

// A partition opened for writing, with its resolved new log start.
struct PendingDelete {
  DeleteRecordsRequest request;
  std::unique_ptr<log::Partition> partition;
  Offset new_log_start;
  std::optional<uint64_t> records_before;  // with count_records
};

// Opens the partition (LogDir::OpenPartition, kWrite) and resolves
// `request.before`; changes nothing. Errors: NotFound (unknown topic or
// partition), OutOfRange for an offset past the log end ("partition t-0 ends
// at offset 4": the caller prefixes what it asked for, a flag or a request
// field), InvalidArgument (a negative offset or count), what opening the
// partition returns.
Result<PendingDelete> PrepareDeleteRecords(const log::LogDir& dir, DeleteRecordsRequest request,
                                           const DeleteRecordsOptions& options = {});

// Moves the log start of a prepared partition; counts the records deleted
// when it was prepared with count_records. The result's status is OK; the
// Result carries AdvanceLogStart's errors (I/O, OutOfRange after a concurrent
// truncation).
Result<DeleteRecordsResult> ApplyDeleteRecords(PendingDelete& pending);

// Both steps for each request on its own, in order: one result per request,
// with that partition's error in its status (an OutOfRange one prefixed
// "delete records before offset N").
std::vector<DeleteRecordsResult> DeleteRecords(const log::LogDir& dir,
                                               std::span<const DeleteRecordsRequest> requests,
                                               const DeleteRecordsOptions& options = {});

}  // namespace kq::maint
