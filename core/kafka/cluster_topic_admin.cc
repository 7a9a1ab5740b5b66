#include "kafka/cluster_topic_admin.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "kafka/admin.h"

namespace kq::kafka {

Result<std::vector<client::TopicListing>> ClusterTopicAdmin::ListTopics() {
  KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> topics, kafka::ListTopics(config_));
  std::vector<client::TopicListing> out;
  for (const TopicMetadata& t : topics) {
    out.push_back({t.name, static_cast<int32_t>(t.partitions.size())});
  }
  return out;
}

Result<int32_t> ClusterTopicAdmin::PartitionCount(std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client,
                      Client::Open(config_, Client::Kind::kProducer));
  KQ_ASSIGN_OR_RETURN(TopicMetadata meta, client->Topic(topic));
  return static_cast<int32_t>(meta.partitions.size());
}

Result<std::vector<client::TopicDetail>> ClusterTopicAdmin::DescribeTopics(
    const std::vector<std::string>& topics) {
  std::vector<std::string> names = topics;
  if (names.empty()) {
    KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> all, kafka::ListTopics(config_));
    for (const TopicMetadata& t : all) names.push_back(t.name);
  }
  std::vector<client::TopicDetail> out;
  for (const std::string& name : names) {
    Result<client::TopicDetail> d = Describe(name);
    if (topics.empty() && d.status().IsNotFound()) continue;  // deleted meanwhile
    KQ_RETURN_IF_ERROR(d.status());
    out.push_back(std::move(*d));
  }
  return out;
}

Result<client::TopicDetail> ClusterTopicAdmin::Describe(std::string_view topic) {
  KQ_ASSIGN_OR_RETURN(TopicDescription t, kafka::DescribeTopic(config_, topic));
  client::TopicDetail d;
  d.name = t.name;
  d.records_exact = false;  // end - start: an upper bound
  for (const PartitionDescription& p : t.partitions) {
    const auto records = static_cast<uint64_t>(std::max<int64_t>(0, p.end_offset - p.start_offset));
    d.partitions.push_back({.partition = p.partition,
                            .log_start_offset = p.start_offset,
                            .log_end_offset = p.end_offset,
                            .records = records,
                            .bytes = std::nullopt,
                            .segments = std::nullopt,
                            .max_timestamp = std::nullopt,
                            .leader = p.leader});
    d.records += records;
  }
  if (!config_unsupported_.ok()) {
    d.config_unavailable = "the cluster did not answer DescribeConfigs";
    d.config_status = config_unsupported_;
    return d;
  }
  Result<std::vector<ConfigEntry>> entries = DescribeTopicConfig(config_, topic);
  if (entries.ok()) {
    std::vector<client::TopicConfigValue> config;
    for (const ConfigEntry& e : *entries) {
      config.push_back({e.name, e.value, e.is_default, e.sensitive});
    }
    d.config = std::move(config);
  } else if (entries.status().code() == Status::Code::kNotSupported ||
             entries.status().IsIoError()) {
    config_unsupported_ = entries.status();
    d.config_unavailable = "the cluster did not answer DescribeConfigs";
    d.config_status = config_unsupported_;
  } else {
    return entries.status();
  }
  return d;
}

Status ClusterTopicAdmin::CreateTopic(const client::NewTopicSpec& spec) {
  NewTopic topic;
  topic.name = spec.name;
  topic.partitions = spec.partitions;
  for (const log::ConfigChange& c : spec.configs) {
    if (c.value) topic.configs[c.key] = *c.value;
  }
  return kafka::CreateTopic(config_, topic);
}

Status ClusterTopicAdmin::DeleteTopic(std::string_view topic) {
  return kafka::DeleteTopic(config_, topic);
}

Status ClusterTopicAdmin::AlterConfig(std::string_view topic,
                                      const std::vector<log::ConfigChange>& changes) {
  std::map<std::string, std::string> set;
  std::vector<std::string> remove;
  for (const log::ConfigChange& c : changes) {
    if (c.value) {
      set[c.key] = *c.value;
    } else {
      remove.push_back(c.key);
    }
  }
  return AlterTopicConfig(config_, topic, set, remove);
}

Status ClusterTopicAdmin::AddPartitions(std::string_view topic, int32_t total) {
  return kafka::AddPartitions(config_, topic, total);
}

Result<std::vector<client::PartitionOffsets>> ClusterTopicAdmin::ListOffsets(
    std::string_view topic, std::optional<int64_t> at_ms) {
  KQ_ASSIGN_OR_RETURN(TopicDescription t, kafka::DescribeTopic(config_, topic));
  std::map<int32_t, int64_t> at_time;
  if (at_ms) {
    KQ_ASSIGN_OR_RETURN(at_time, OffsetsForTime(config_, topic, *at_ms));
  }
  std::vector<client::PartitionOffsets> out;
  for (const PartitionDescription& p : t.partitions) {
    client::PartitionOffsets o{t.name, p.partition, p.start_offset, p.end_offset, std::nullopt};
    if (at_ms) {
      auto it = at_time.find(p.partition);
      o.at = it != at_time.end() ? it->second : p.end_offset;
    }
    out.push_back(std::move(o));
  }
  return out;
}

Result<std::vector<client::TrimmedPartition>> ClusterTopicAdmin::DeleteRecords(
    const std::vector<client::TopicSelection>& targets, const maint::DeleteBefore& before) {
  // Resolve and check every target before the first deletion.
  struct Plan {
    std::string topic;
    std::map<int32_t, int64_t> before;     // partition -> new start
    std::map<int32_t, int64_t> old_start;  // partition -> start before
  };
  std::vector<Plan> plans;
  for (const client::TopicSelection& t : targets) {
    KQ_ASSIGN_OR_RETURN(TopicDescription topic, kafka::DescribeTopic(config_, t.topic));
    std::map<int32_t, int64_t> at_time;
    if (before.kind() == maint::DeleteBefore::Kind::kTime) {
      KQ_ASSIGN_OR_RETURN(at_time, OffsetsForTime(config_, t.topic, before.value()));
    }
    Plan plan{t.topic, {}, {}};
    bool found = !t.partition.has_value();
    for (const PartitionDescription& p : topic.partitions) {
      if (t.partition && p.partition != *t.partition) continue;
      found = true;
      int64_t target = p.end_offset;
      switch (before.kind()) {
        case maint::DeleteBefore::Kind::kOffset:
          if (before.value() > p.end_offset) {
            return Status::OutOfRange(fmt::format("partition {} ends at offset {}",
                                                  PartitionName(t.topic, p.partition),
                                                  p.end_offset));
          }
          target = before.value();
          break;
        case maint::DeleteBefore::Kind::kTime:
          if (auto it = at_time.find(p.partition); it != at_time.end()) target = it->second;
          break;
        case maint::DeleteBefore::Kind::kKeepLast:
          target = std::max(p.start_offset, p.end_offset - before.value());
          break;
        case maint::DeleteBefore::Kind::kEnd:
          break;
      }
      plan.before[p.partition] = target;
      plan.old_start[p.partition] = p.start_offset;
    }
    if (!found) {
      return Status::NotFound(fmt::format("partition {} of topic '{}' does not exist (it has {})",
                                          *t.partition, t.topic, topic.partitions.size()));
    }
    plans.push_back(std::move(plan));
  }
  std::vector<client::TrimmedPartition> out;
  for (const Plan& plan : plans) {
    KQ_ASSIGN_OR_RETURN(auto done, TrimTopic(config_, plan.topic, plan.before));
    for (const auto& [partition, new_start] : done) {
      const int64_t old_start = plan.old_start.at(partition);
      const uint64_t deleted =
          new_start > old_start ? static_cast<uint64_t>(new_start - old_start) : 0;
      out.push_back({plan.topic, partition, old_start, new_start, deleted});
    }
  }
  return out;
}

}  // namespace kq::kafka
