// Compactor: key compaction of one partition (cleanup.policy=compact), Kafka's
// log cleaner run offline (reference section 4; DESIGN.md "Compaction and
// retention").
//
// The cleanable range is every sealed segment from the first one up to (not
// including) the active segment, or up to the first segment whose largest
// timestamp is newer than now - min.compaction.lag.ms. One pass:
//   1. map: walk the range from where the previous pass stopped and record
//      key hash -> latest offset in a KeyMap bounded by max_memory; when the
//      next batch might not fit, the map ends before it;
//   2. clean: re-copy every segment from the start of the range up to the
//      map's end through BatchFilter (batch_filter.h), merging consecutive
//      segments into one output while it stays within segment.bytes and
//      segment.index.bytes and its offsets fit int32 relative to its base;
//   3. swap each output in (segment_swap.h).
// Passes repeat until the map has covered the whole range, so a partition
// whose keys do not fit in memory is cleaned in several passes with the same
// result. The active segment is never read or touched.
//
// The last batch of each source segment is kept even when it loses every
// record (as an empty batch): the output then ends exactly where its sources
// ended, which keeps the loader's "superseded segment" rule exact after a
// crash in the middle of a swap.
//
// Concurrency: segments are read and cleaned without the partition lock;
// writers go on appending to the active segment meanwhile. The partition
// lock is held only for each swap. The cleaner lock (.cleaner.lock, kTry)
// keeps two cleaners apart for the whole run: Busy "another kq-compact is
// cleaning t-0".
// Thread safety: one Compactor per partition and thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "base/status.h"
#include "base/strong_types.h"
#include "log/log_dir.h"
#include "maint/batch_filter.h"
#include "maint/segment_swap.h"

namespace kq::maint {

// The topic's config (TopicInfo::config) shapes the cleaning:
// delete.retention.ms, min.compaction.lag.ms, segment.bytes,
// segment.index.bytes, index.interval.bytes, max.message.bytes.
struct CompactOptions {
  // Bound of the key map (--max-memory).
  size_t max_memory = size_t{32} << 20;
  // Compute what would change; write nothing, take no lock.
  bool dry_run = false;
  // Called now and then with the bytes read so far (progress lines).
  std::function<void(uint64_t bytes_read)> progress;
  // Fault-injection hook passed to SwapInCleaned (segment_swap.h says why
  // it exists); unset outside tests.
  SwapHook swap_hook;
};

struct CompactStats {
  int passes = 0;
  int segments_before = 0;  // sealed segments in the cleanable range
  int segments_after = 0;
  uint64_t bytes_before = 0;
  uint64_t bytes_after = 0;
  int stale_files_removed = 0;
  int64_t map_keys = 0;  // distinct keys in the largest map
  FilterStats filter;    // records removed, by reason
  // Dry run with a map too small for the whole range: figures cover the
  // first pass only.
  bool partial = false;
};

// Cleans partition `partition` of `topic` in `dir`, opening it through the
// directory (LogDir::OpenPartition), so the topic's config shapes it as it
// shapes every writer. `stats` is filled as far as the work got.
Status CompactPartition(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
                        const CompactOptions& options, CompactStats* stats);

}  // namespace kq::maint
