// PartitionStats: what `kq-topics describe` shows for one partition, computed
// from batch headers without decoding payloads.
//
//   records  = sum of recordsCount over the batches at or after the log start
//   except the one batch that may straddle the log start (the log start was
//   advanced into its middle by DeleteRecords): that batch alone is decoded
//   and only its records at offsets >= log start are counted. After
//   compaction, recordsCount is smaller than the offset span, which is why
//   records is not simply log_end - log_start.
//
// Thread safety: a pure function of the partition's view and its files; the
// Partition must not be used by another thread during the call. Other
// processes may append meanwhile: the scan stops at the sizes the partition
// last observed (call Refresh() first for a fresh view), so the figures
// describe one consistent moment.
#pragma once

#include <cstdint>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/env.h"
#include "log/partition.h"

namespace kq::log {

struct PartitionStats {
  Offset log_start_offset;
  Offset log_end_offset;
  uint64_t records = 0;  // exact count of records in [log start, log end)
  uint64_t bytes = 0;    // bytes of all segment files' complete batches
  int segments = 0;
  int64_t max_timestamp = -1;  // largest batch maxTimestamp, -1 when empty
};

// Errors: IoError (a segment could not be read, naming its path), Corruption
// (impossible framing in a segment, naming file and byte position). A torn
// tail past the observed size is not an error.
Result<PartitionStats> ComputePartitionStats(io::Env* env, const Partition& partition);

}  // namespace kq::log
