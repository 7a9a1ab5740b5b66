#include "client/log_topic_admin.h"

#include <fmt/format.h>

#include "log/partition.h"
#include "log/partition_stats.h"

namespace kq::client {

Result<log::LogDir*> LogTopicAdmin::Dir(bool create_if_missing) {
  if (!dir_) {
    KQ_ASSIGN_OR_RETURN(log::LogDir dir, log::LogDir::Open(env_, path_, create_if_missing));
    dir_ = std::move(dir);
  }
  return &*dir_;
}

Status LogTopicAdmin::CheckConfig(const log::ConfigChange& change) const {
  log::TopicConfig scratch;
  return change.value ? scratch.Set(change.key, *change.value) : scratch.Reset(change.key);
}

Result<std::vector<TopicListing>> LogTopicAdmin::ListTopics() {
  std::vector<TopicListing> out;
  if (!dir_ && !env_->FileExists(path_)) return out;  // not created yet: no topics
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, dir->ListTopics());
  for (const std::string& name : names) {
    Result<log::TopicInfo> info = dir->DescribeTopic(name);
    if (info.status().IsNotFound()) continue;  // deleted since the listing
    KQ_RETURN_IF_ERROR(info.status());
    out.push_back({name, info->partitions});
  }
  return out;
}

Result<int32_t> LogTopicAdmin::PartitionCount(std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir->DescribeTopic(topic));
  return info.partitions;
}

Result<std::vector<TopicDetail>> LogTopicAdmin::DescribeTopics(
    const std::vector<std::string>& topics) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  std::vector<std::string> names = topics;
  if (names.empty()) {
    KQ_ASSIGN_OR_RETURN(names, dir->ListTopics());
  }
  std::vector<TopicDetail> out;
  for (const std::string& name : names) {
    Result<TopicDetail> d = Describe(*dir, name);
    // A topic deleted between listing and describing is simply gone.
    if (topics.empty() && d.status().IsNotFound()) continue;
    KQ_RETURN_IF_ERROR(d.status());
    out.push_back(std::move(*d));
  }
  return out;
}

Result<TopicDetail> LogTopicAdmin::Describe(const log::LogDir& dir, std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir.DescribeTopic(topic));
  TopicDetail d;
  d.name = info.name;
  d.records_exact = true;
  uint64_t bytes = 0;
  for (int32_t p = 0; p < info.partitions; ++p) {
    KQ_ASSIGN_OR_RETURN(auto partition,
                        dir.OpenPartition(info, PartitionId(p), log::OpenMode::kRead));
    KQ_ASSIGN_OR_RETURN(log::PartitionStats stats, log::ComputePartitionStats(env_, *partition));
    d.partitions.push_back({.partition = p,
                            .log_start_offset = stats.log_start_offset.value(),
                            .log_end_offset = stats.log_end_offset.value(),
                            .records = stats.records,
                            .bytes = stats.bytes,
                            .segments = stats.segments,
                            .max_timestamp = stats.max_timestamp,
                            .leader = std::nullopt});
    d.records += stats.records;
    bytes += stats.bytes;
  }
  d.bytes = bytes;
  std::vector<TopicConfigValue> config;
  for (const log::ConfigEntry& e : info.config.Describe()) {
    config.push_back({e.name, e.value, e.is_default, false});
  }
  d.config = std::move(config);
  return d;
}

Status LogTopicAdmin::CreateTopic(const NewTopicSpec& spec) {
  log::TopicConfig config;
  for (const log::ConfigChange& c : spec.configs) {
    if (!c.value) continue;  // nothing to reset on a new topic
    KQ_RETURN_IF_ERROR(config.Set(c.key, *c.value));
  }
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir(/*create_if_missing=*/true));
  return dir->CreateTopic(spec.name, spec.partitions, config);
}

Status LogTopicAdmin::DeleteTopic(std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  return dir->DeleteTopic(topic);
}

Status LogTopicAdmin::AlterConfig(std::string_view topic,
                                  const std::vector<log::ConfigChange>& changes) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  return dir->AlterTopicConfig(topic, changes);
}

Status LogTopicAdmin::AddPartitions(std::string_view topic, int32_t total) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  return dir->AddPartitions(topic, total);
}

Result<std::vector<PartitionOffsets>> LogTopicAdmin::ListOffsets(std::string_view topic,
                                                                 std::optional<int64_t> at_ms) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir->DescribeTopic(topic));
  std::vector<PartitionOffsets> out;
  for (int32_t p = 0; p < info.partitions; ++p) {
    KQ_ASSIGN_OR_RETURN(auto partition,
                        dir->OpenPartition(info, PartitionId(p), log::OpenMode::kRead));
    PartitionOffsets o{info.name, p, partition->log_start_offset().value(),
                       partition->log_end_offset().value(), std::nullopt};
    if (at_ms) {
      KQ_ASSIGN_OR_RETURN(Offset at, partition->OffsetForTimestamp(*at_ms));
      o.at = at.value();
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<TrimmedPartition>> LogTopicAdmin::DeleteRecords(
    const std::vector<TopicSelection>& targets, const maint::DeleteBefore& before) {
  KQ_ASSIGN_OR_RETURN(log::LogDir * dir, Dir());
  // Every partition is opened and its point resolved before the first one
  // changes: a bad target or an offset past the end changes nothing.
  std::vector<maint::PendingDelete> plans;
  for (const TopicSelection& target : targets) {
    std::vector<PartitionId> partitions;
    if (target.partition) {
      partitions.push_back(PartitionId(*target.partition));
    } else {
      KQ_ASSIGN_OR_RETURN(log::TopicInfo info, dir->DescribeTopic(target.topic));
      for (int32_t p = 0; p < info.partitions; ++p) partitions.push_back(PartitionId(p));
    }
    for (PartitionId p : partitions) {
      KQ_ASSIGN_OR_RETURN(
          maint::PendingDelete pending,
          maint::PrepareDeleteRecords(*dir, {target.topic, p, before}, {.count_records = true}));
      plans.push_back(std::move(pending));
    }
  }
  std::vector<TrimmedPartition> out;
  for (maint::PendingDelete& plan : plans) {
    KQ_ASSIGN_OR_RETURN(maint::DeleteRecordsResult done, maint::ApplyDeleteRecords(plan));
    out.push_back({done.topic, done.partition.value(), done.previous_low_watermark.value(),
                   done.low_watermark.value(), done.records_deleted});
  }
  return out;
}

}  // namespace kq::client
