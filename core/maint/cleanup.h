// Cleanup: applies a topic's cleanup.policy to its partitions, one cleaning
// round of Kafka's log manager (reference section 4; DESIGN.md "Compaction
// and retention"):
//
//   cleanup.policy   what runs
//   delete           retention (retention.h): whole segments past
//                    retention.ms or retention.bytes go, the log start moves
//   compact          key compaction (compactor.h) of the sealed segments
//   compact,delete   retention first (whole segments go cheaply), then
//                    compaction of what is left
//
// kq-compact runs it for the partitions it is given; a server runs it in the
// background. Partitions are opened through LogDir::OpenPartition, so the
// segment shape is the topic's config, and a partition folder that does not
// exist is reported, never created.
//
// Concurrency: as retention.h and compactor.h say: writers may go on
// appending meanwhile; two cleaners of one partition exclude each other
// (Busy "another kq-compact is cleaning t-0").
// Thread safety: functions; the LogDir may be shared between threads.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "log/log_dir.h"
#include "maint/compactor.h"
#include "maint/retention.h"

namespace kq::maint {

struct CleanupOptions {
  // Bound of the compactor's key map; partitions whose keys do not fit are
  // compacted in several passes.
  size_t max_memory = size_t{32} << 20;
  // Compute what would change; write nothing, take no lock.
  bool dry_run = false;
  // Called now and then during compaction with the bytes read so far.
  std::function<void(uint64_t bytes_read)> progress;
};

// What one partition's cleanup did (or, with dry_run, would do). A step that
// did not run, or failed, is nullopt.
struct CleanupReport {
  std::optional<RetentionPlan> retention;  // the policy has delete
  std::optional<CompactStats> compaction;  // the policy has compact
};

// Applies topic.config's cleanup.policy to partition `partition`. `report`
// holds every step that finished, also when a later one fails (retention
// done, then compaction failed). Errors: NotFound (a partition outside the
// topic, or its folder is missing), Busy (another cleaner holds the
// partition), Corruption (damage the cleaner will not copy; see
// kq-compact --verify), InvalidArgument (max_memory too small for one
// batch), I/O errors naming the file.
Status CleanPartition(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
                      const CleanupOptions& options, CleanupReport* report);

struct PartitionCleanup {
  PartitionId partition;
  Status status;
  CleanupReport report;
};

// CleanPartition for every partition of `topic`, in order; a partition that
// fails does not stop the others. Errors: DescribeTopic's (the topic does not
// exist, bad metadata).
Result<std::vector<PartitionCleanup>> CleanTopic(const log::LogDir& dir, std::string_view topic,
                                                 const CleanupOptions& options);

}  // namespace kq::maint
