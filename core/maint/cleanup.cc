#include "maint/cleanup.h"

#include <fmt/format.h>

namespace kq::maint {

namespace {

Result<RetentionPlan> RunRetention(const log::LogDir& dir, const log::TopicInfo& topic,
                                   PartitionId partition, bool dry_run) {
  const int64_t now = dir.env()->NowMs();
  // A dry run takes no lock and writes nothing, not even recovery's repairs.
  const log::OpenMode mode = dry_run ? log::OpenMode::kRead : log::OpenMode::kWrite;
  KQ_ASSIGN_OR_RETURN(auto p, dir.OpenPartition(topic, partition, mode));
  RetentionPlan plan = PlanRetention(p->Segments(), topic.config, now);
  if (dry_run) return plan;
  KQ_RETURN_IF_ERROR(ApplyRetention(*p, plan));
  KQ_RETURN_IF_ERROR(p->Close());
  return plan;
}

Result<CompactStats> RunCompaction(const log::LogDir& dir, const log::TopicInfo& topic,
                                   PartitionId partition, const CleanupOptions& options) {
  CompactOptions o;
  o.max_memory = options.max_memory;
  o.dry_run = options.dry_run;
  o.progress = options.progress;
  CompactStats stats;
  KQ_RETURN_IF_ERROR(CompactPartition(dir, topic, partition, o, &stats));
  return stats;
}

}  // namespace

Status CleanPartition(const log::LogDir& dir, const log::TopicInfo& topic, PartitionId partition,
                      const CleanupOptions& options, CleanupReport* report) {
  *report = CleanupReport{};
  KQ_RETURN_IF_ERROR(log::LogDir::CheckPartition(topic, partition));
  // Cleaning never creates a partition: a folder removed by hand is reported
  // (a writer's open would recreate it empty).
  const std::string path = dir.PartitionPath(topic.name, partition);
  if (!dir.env()->IsDirectory(path)) {
    return Status::NotFound(
        fmt::format("partition {}-{}: directory {} does not exist", topic.name, partition, path));
  }
  if (topic.config.cleanup_delete) {
    KQ_ASSIGN_OR_RETURN(report->retention, RunRetention(dir, topic, partition, options.dry_run));
  }
  if (topic.config.cleanup_compact) {
    KQ_ASSIGN_OR_RETURN(report->compaction, RunCompaction(dir, topic, partition, options));
  }
  return Status::Ok();
}

Result<std::vector<PartitionCleanup>> CleanTopic(const log::LogDir& dir, std::string_view topic,
                                                 const CleanupOptions& options) {
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir.DescribeTopic(topic));
  std::vector<PartitionCleanup> out;
  for (int32_t p = 0; p < info.partitions; ++p) {
    PartitionCleanup& done = out.emplace_back();
    done.partition = PartitionId(p);
    done.status = CleanPartition(dir, info, done.partition, options, &done.report);
  }
  return out;
}

}  // namespace kq::maint
