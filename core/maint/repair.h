// Repair (kq-compact --repair): puts a partition back into a state the log
// engine opens, saying exactly what changed.
//
//   - removes *.cleaned / *.swap files a killed cleaner left;
//   - rebuilds every segment's .index and .timeindex from its batches;
//   - truncates an incomplete batch at the end of the active segment (a
//     crashed writer's torn tail);
//   - with truncate_corrupt: cuts the partition at its first corrupt batch
//     (bad frame, CRC mismatch, offsets going backwards, or an incomplete
//     batch inside a sealed segment), removing that batch, everything after
//     it in its segment and every later segment. Without it, such damage is
//     reported and left alone (Corruption).
// Then the partition is opened for writing once (LogDir::OpenPartition), so
// the engine brings its checkpoints (recovery point, leader epochs, log
// start) in line.
//
// Runs under the cleaner lock (Busy when a cleaner is running) and the
// partition lock, so writers wait while the files change.
// Thread safety: a function.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/strong_types.h"
#include "log/log_dir.h"

namespace kq::maint {

// Indexes are rebuilt with the topic's index.interval.bytes.
struct RepairOptions {
  bool truncate_corrupt = false;
  size_t max_batch_bytes = size_t{64} << 20;
};

struct RepairReport {
  int stale_files_removed = 0;
  int indexes_rebuilt = 0;  // segments whose index files were rewritten
  uint64_t torn_bytes_truncated = 0;
  // The first corrupt batch, when one was found.
  bool damage_found = false;
  std::string damage;  // file, position, offset and what is wrong
  // What --truncate-corrupt removed.
  bool cut = false;
  int64_t cut_from_offset = -1;  // first offset dropped
  int64_t cut_to_offset = -1;    // last offset dropped (as far as headers tell)
  uint64_t cut_bytes = 0;
  int segments_removed = 0;
  std::vector<std::string> actions;  // one line per change, for the tool
};

// Repairs partition `partition` of `topic` in `dir`; the final open goes
// through the directory (LogDir::OpenPartition), with the topic's config.
// Damage left alone (no truncate_corrupt) is returned as Corruption after the
// rest was repaired.
Status RepairPartition(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
                       const RepairOptions& options, RepairReport* report);

}  // namespace kq::maint
