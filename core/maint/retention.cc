#include "maint/retention.h"

#include <algorithm>

namespace kq::maint {

RetentionPlan PlanRetention(const std::vector<log::SegmentInfo>& segments,
                            const log::TopicConfig& config, int64_t now_ms) {
  RetentionPlan plan;
  // Every segment is a candidate but an empty active one: it holds nothing
  // to delete, and the log needs a segment to append to.
  size_t candidates = segments.size();
  if (candidates > 0 && segments.back().active && segments.back().size_bytes == 0) --candidates;
  if (config.retention_ms >= 0) {
    while (static_cast<size_t>(plan.by_time) < candidates) {
      const log::SegmentInfo& s = segments[static_cast<size_t>(plan.by_time)];
      if (s.max_timestamp < 0 || now_ms - s.max_timestamp <= config.retention_ms) break;
      ++plan.by_time;
    }
  }
  if (config.retention_bytes >= 0) {
    uint64_t total = 0;
    for (const auto& s : segments) total += s.size_bytes;
    int64_t excess = static_cast<int64_t>(total) - config.retention_bytes;
    while (static_cast<size_t>(plan.by_size) < candidates) {
      const auto size =
          static_cast<int64_t>(segments[static_cast<size_t>(plan.by_size)].size_bytes);
      if (excess - size < 0) break;
      excess -= size;
      ++plan.by_size;
    }
  }
  const size_t n = static_cast<size_t>(std::max(plan.by_time, plan.by_size));
  for (size_t i = 0; i < n; ++i) {
    plan.doomed.push_back(segments[i]);
    plan.bytes += segments[i].size_bytes;
    plan.records_upper_bound += segments[i].next_offset - segments[i].base_offset;
  }
  // With every segment doomed the log start becomes the log end, and
  // AdvanceLogStart rolls the active segment before removing it.
  if (n > 0)
    plan.new_log_start =
        n < segments.size() ? segments[n].base_offset : segments.back().next_offset;
  return plan;
}

Status ApplyRetention(log::Partition& partition, const RetentionPlan& plan) {
  if (plan.empty()) return Status::Ok();
  return partition.AdvanceLogStart(plan.new_log_start);
}

}  // namespace kq::maint
