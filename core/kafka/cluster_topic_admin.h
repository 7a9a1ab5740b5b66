// ClusterTopicAdmin: TopicAdmin (client/topic_admin.h) over a Kafka-protocol
// cluster, through kafka/admin.h. What a cluster cannot say is left unset:
// describe's record counts are end - start (records_exact false), bytes and
// segments are unknown. Config names and values are the broker's to check
// (CheckConfig accepts any). Operations the cluster lacks (librdkafka's mock
// has no CreateTopics, DescribeConfigs or DeleteRecords) fail with a message
// naming the operation; describe then shows the partitions with config
// nullopt, and asks no more after the first such answer (it will not change).
//
// Thread safety: one thread at a time.
#pragma once

#include <utility>

#include "client/topic_admin.h"
#include "kafka/client.h"

namespace kq::kafka {

class ClusterTopicAdmin final : public client::TopicAdmin {
 public:
  explicit ClusterTopicAdmin(ClusterConfig config) : config_(std::move(config)) {}

  std::string Location() const override { return "at '" + config_.brokers + "'"; }
  Status CheckConfig(const log::ConfigChange&) const override { return Status::Ok(); }
  Result<std::vector<client::TopicListing>> ListTopics() override;
  Result<int32_t> PartitionCount(std::string_view topic) override;
  Result<std::vector<client::TopicDetail>> DescribeTopics(
      const std::vector<std::string>& topics) override;
  Status CreateTopic(const client::NewTopicSpec& spec) override;
  Status DeleteTopic(std::string_view topic) override;
  Status AlterConfig(std::string_view topic,
                     const std::vector<log::ConfigChange>& changes) override;
  Status AddPartitions(std::string_view topic, int32_t total) override;
  Result<std::vector<client::PartitionOffsets>> ListOffsets(std::string_view topic,
                                                            std::optional<int64_t> at_ms) override;
  Result<std::vector<client::TrimmedPartition>> DeleteRecords(
      const std::vector<client::TopicSelection>& targets,
      const maint::DeleteBefore& before) override;

 private:
  Result<client::TopicDetail> Describe(std::string_view topic);

  ClusterConfig config_;
  Status config_unsupported_;  // set once DescribeConfigs failed for want of the API
};

}  // namespace kq::kafka
