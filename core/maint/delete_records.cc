#include "maint/delete_records.h"

#include <algorithm>

#include <fmt/format.h>

#include "log/partition_stats.h"

namespace kq::maint {

namespace {

// Where the new log start goes; a point below the current start is returned
// as it is (AdvanceLogStart leaves the start alone then).
Result<Offset> Resolve(log::Partition& p, const DeleteBefore& before) {
  const Offset end = p.log_end_offset();
  switch (before.kind()) {
    case DeleteBefore::Kind::kOffset:
      if (before.value() < 0) {
        return Status::InvalidArgument(
            fmt::format("partition {}: cannot delete records before offset {}: offsets are >= 0",
                        p.Name(), before.value()));
      }
      // Kafka: OFFSET_OUT_OF_RANGE past the high watermark.
      if (before.value() > end.value()) {
        return Status::OutOfRange(fmt::format("partition {} ends at offset {}", p.Name(), end));
      }
      return Offset(before.value());
    case DeleteBefore::Kind::kTime:
      return p.OffsetForTimestamp(before.value());
    case DeleteBefore::Kind::kKeepLast:
      if (before.value() < 0) {
        return Status::InvalidArgument(
            fmt::format("partition {}: cannot keep the last {} records: the count must be >= 0",
                        p.Name(), before.value()));
      }
      return Offset(std::max<int64_t>(end.value() - before.value(), 0));
    case DeleteBefore::Kind::kEnd:
      return end;
  }
  return Status::Internal("unknown DeleteBefore kind");
}

Result<uint64_t> CountRecords(log::Partition& p) {
  KQ_ASSIGN_OR_RETURN(log::PartitionStats stats, log::ComputePartitionStats(p.options().env, p));
  return stats.records;
}

}  // namespace

Result<PendingDelete> PrepareDeleteRecords(const log::LogDir& dir, DeleteRecordsRequest request,
                                           const DeleteRecordsOptions& options) {
  PendingDelete pending;
  KQ_ASSIGN_OR_RETURN(pending.partition,
                      dir.OpenPartition(request.topic, request.partition, log::OpenMode::kWrite));
  KQ_ASSIGN_OR_RETURN(pending.new_log_start, Resolve(*pending.partition, request.before));
  if (options.count_records) {
    KQ_ASSIGN_OR_RETURN(pending.records_before, CountRecords(*pending.partition));
  }
  pending.request = std::move(request);
  return pending;
}

Result<DeleteRecordsResult> ApplyDeleteRecords(PendingDelete& pending) {
  log::Partition& p = *pending.partition;
  DeleteRecordsResult result;
  result.topic = pending.request.topic;
  result.partition = pending.request.partition;
  result.previous_low_watermark = p.log_start_offset();
  KQ_RETURN_IF_ERROR(p.AdvanceLogStart(pending.new_log_start));
  result.low_watermark = p.log_start_offset();
  result.high_watermark = p.log_end_offset();
  if (pending.records_before) {
    KQ_ASSIGN_OR_RETURN(uint64_t after, CountRecords(p));
    result.records_deleted = *pending.records_before > after ? *pending.records_before - after : 0;
  }
  return result;
}

std::vector<DeleteRecordsResult> DeleteRecords(const log::LogDir& dir,
                                               std::span<const DeleteRecordsRequest> requests,
                                               const DeleteRecordsOptions& options) {
  std::vector<DeleteRecordsResult> results;
  results.reserve(requests.size());
  for (const DeleteRecordsRequest& request : requests) {
    Result<PendingDelete> pending = PrepareDeleteRecords(dir, request, options);
    Result<DeleteRecordsResult> done =
        pending.ok() ? ApplyDeleteRecords(*pending) : Result<DeleteRecordsResult>(pending.status());
    if (done.ok()) {
      results.push_back(std::move(*done));
      continue;
    }
    DeleteRecordsResult& failed = results.emplace_back();
    failed.topic = request.topic;
    failed.partition = request.partition;
    failed.status = done.status();
    if (!pending.ok() && failed.status.IsOutOfRange()) {
      failed.status = failed.status.WithPrefix(
          fmt::format("delete records before offset {}", request.before.value()));
    }
  }
  return results;
}

}  // namespace kq::maint
