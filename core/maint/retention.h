// Retention for cleanup.policy=delete (reference section 4.3): whole
// segments are dropped oldest first, and deletion stops at the first segment
// that does not qualify:
//   retention.ms     a segment goes when now - (its largest timestamp) >
//                    retention.ms (-1: keep forever; a segment without
//                    timestamps never qualifies by time);
//   retention.bytes  with excess = partition size - retention.bytes, the
//                    oldest segment goes while excess - its size >= 0
//                    (-1: no limit).
// Both rules pick a prefix of the segments; the longer prefix is removed.
// The active segment qualifies like the others when it is not empty (as in
// Kafka, which rolls it first), so an idle topic still loses expired data;
// the log end offset stays where it was.
// The log start offset moves to the base of the first remaining segment, or
// to the log end when none remains (Partition::AdvanceLogStart, under the
// partition lock, rolls a doomed active segment), then the removed
// segments' files go.
//
// Thread safety: functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/strong_types.h"
#include "io/env.h"
#include "log/partition.h"
#include "log/topic_config.h"

namespace kq::maint {

struct RetentionPlan {
  std::vector<log::SegmentInfo> doomed;  // oldest first
  int by_time = 0;                       // how many qualify by retention.ms
  int by_size = 0;                       // how many qualify by retention.bytes
  Offset new_log_start{-1};              // -1: nothing to do
  uint64_t bytes = 0;
  int64_t records_upper_bound = 0;  // sum of offset ranges (gaps included)
  bool empty() const { return doomed.empty(); }
};

// Picks the segments to delete from `segments` (a Partition's Segments()).
RetentionPlan PlanRetention(const std::vector<log::SegmentInfo>& segments,
                            const log::TopicConfig& config, int64_t now_ms);

// Applies the plan to a partition opened for writing.
Status ApplyRetention(log::Partition& partition, const RetentionPlan& plan);

}  // namespace kq::maint
