#include "log/partition_stats.h"

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "format/record.h"
#include "log/batch_scanner.h"

namespace kq::log {

namespace {

// Records of the batch at `position` whose offset is >= `log_start`. Only
// this batch is read whole and decoded (decompressed if needed).
Result<uint64_t> CountFromOffset(const io::RandomAccessFile& file, uint64_t position,
                                 const format::BatchHeader& header, Offset log_start) {
  std::string bytes;
  KQ_RETURN_IF_ERROR(file.Read(position, header.total_size(), &bytes));
  if (bytes.size() != header.total_size()) {
    return Status::Corruption(fmt::format("{}: batch at position {} (offset {}) is cut short",
                                          file.path(), position, header.base_offset));
  }
  uint64_t count = 0;
  std::string scratch;
  Status s = format::ForEachRecord(bytes, &scratch, [&](const format::RecordView& r) {
    if (r.offset >= log_start.value()) ++count;
    return Status::Ok();
  });
  if (!s.ok()) {
    return s.WithPrefix(fmt::format("{}: batch at position {} (offset {})", file.path(), position,
                                    header.base_offset));
  }
  return count;
}

// Adds the records of one segment, from the log start on, to *stats.
Status CountSegment(io::Env* env, const SegmentInfo& seg, Offset log_start, PartitionStats* stats) {
  if (seg.size_bytes == 0 || seg.next_offset <= log_start) return Status::Ok();
  KQ_ASSIGN_OR_RETURN(auto file, env->OpenRandomAccess(seg.log_path));
  BatchScanner scanner(*file, 0, seg.size_bytes, BatchScanner::Options{});
  BatchScanner::Batch batch;
  while (scanner.Next(&batch)) {
    const format::BatchHeader& h = batch.header;
    if (h.next_offset() <= log_start.value()) continue;
    if (h.base_offset < log_start.value()) {
      KQ_ASSIGN_OR_RETURN(uint64_t n, CountFromOffset(*file, batch.position, h, log_start));
      stats->records += n;
    } else if (h.records_count > 0) {
      stats->records += static_cast<uint64_t>(h.records_count);
    }
  }
  switch (scanner.stop()) {
    case BatchScanner::Stop::kCorrupt:
    case BatchScanner::Stop::kIoError:
      return scanner.problem();
    default:
      // kEnd, or kTorn: the file was cut under us (a concurrent truncation);
      // what was counted is still a consistent prefix.
      return Status::Ok();
  }
}

}  // namespace

Result<PartitionStats> ComputePartitionStats(io::Env* env, const Partition& partition) {
  PartitionStats stats;
  stats.log_start_offset = partition.log_start_offset();
  stats.log_end_offset = partition.log_end_offset();
  for (const SegmentInfo& seg : partition.Segments()) {
    Status s = CountSegment(env, seg, stats.log_start_offset, &stats);
    if (s.IsNotFound()) continue;  // removed by retention since the partition looked
    KQ_RETURN_IF_ERROR(s);
    ++stats.segments;
    stats.bytes += seg.size_bytes;
    stats.max_timestamp = std::max(stats.max_timestamp, seg.max_timestamp);
  }
  return stats;
}

}  // namespace kq::log
