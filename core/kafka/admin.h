// Topic administration on a Kafka-protocol cluster (kq-topics -b).
//
// librdkafka calls used and why:
//   rd_kafka_metadata (via Client::Topics)   list, and the partitions of
//       describe: metadata is the only source of the partition set.
//   rd_kafka_query_watermark_offsets         each partition's start and end
//       offsets for describe (Kafka has no exact record count: with
//       compaction or transactions end - start is an upper bound).
//   rd_kafka_CreateTopics / DeleteTopics     create and delete.
//   rd_kafka_DescribeConfigs                 describe's configuration, and
//       the first half of alter: 2.0.2 has no IncrementalAlterConfigs, and
//       AlterConfigs replaces a topic's whole dynamic configuration, so alter
//       re-sends every dynamically set value plus the changes.
//   rd_kafka_CreatePartitions                alter --partitions N.
//   rd_kafka_DeleteRecords                   trim (kafka-delete-records).
//   rd_kafka_offsets_for_times               trim --before TIME: the first
//       offset with a timestamp >= T.
// Admin requests are answered on a private queue polled with a bound
// (request timeout + a margin), so nothing waits forever.
//
// Every function opens its own short-lived Client; they are independent and
// thread-safe. Errors go through ErrorStatus (client.h) and name the
// topic.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "kafka/client.h"

namespace kq::kafka {

struct NewTopic {
  std::string name;
  int32_t partitions = 1;
  int32_t replication_factor = -1;             // -1: the broker's default
  std::map<std::string, std::string> configs;  // --config key=value
};

// Creates the topic. Conflict "create topic 'x': Topic 'x' already exists."
// when it exists.
Status CreateTopic(const ClusterConfig& config, const NewTopic& topic);
// The same with an open client (used by ProduceAll's auto-create).
Status CreateTopic(Client& client, const NewTopic& topic);

// Every topic (internal ones, named "__...", only when include_internal).
Result<std::vector<TopicMetadata>> ListTopics(const ClusterConfig& config,
                                              bool include_internal = false);

struct PartitionDescription {
  int32_t partition = 0;
  int32_t leader = -1;
  int64_t start_offset = 0;  // low watermark
  int64_t end_offset = 0;    // high watermark: the next offset to be written
};

struct TopicDescription {
  std::string name;
  std::vector<PartitionDescription> partitions;  // ascending partition id
};

// Partitions with their watermarks. NotFound when the topic does not exist.
Result<TopicDescription> DescribeTopic(const ClusterConfig& config, std::string_view topic);

struct ConfigEntry {
  std::string name;
  std::optional<std::string> value;  // nullopt: null (e.g. sensitive)
  bool is_default = false;
  bool read_only = false;
  bool sensitive = false;
};

// The topic's configuration as the broker reports it, sorted by name.
// NotSupported when the cluster has no DescribeConfigs (librdkafka's mock).
Result<std::vector<ConfigEntry>> DescribeTopicConfig(const ClusterConfig& config,
                                                     std::string_view topic);

// Sets each `set` entry and returns each `remove` name to the broker's
// default (--delete-config), keeping every other dynamic value as it was.
Status AlterTopicConfig(const ClusterConfig& config, std::string_view topic,
                        const std::map<std::string, std::string>& set,
                        const std::vector<std::string>& remove = {});

// Grows the topic to `total` partitions (alter --partitions; Kafka cannot
// shrink: InvalidArgument from the broker).
Status AddPartitions(const ClusterConfig& config, std::string_view topic, int32_t total);

Status DeleteTopic(const ClusterConfig& config, std::string_view topic);

// For each partition, the first offset whose timestamp is >= timestamp_ms,
// or the partition's end offset when there is none. Keyed by partition.
Result<std::map<int32_t, int64_t>> OffsetsForTime(const ClusterConfig& config,
                                                  std::string_view topic, int64_t timestamp_ms);

// Deletes the records before before_offset[partition] in each listed
// partition (RD_KAFKA_OFFSET_END = -1 means "all of it"). Returns each
// partition's new start offset. OutOfRange when an offset is beyond the end.
Result<std::map<int32_t, int64_t>> TrimTopic(const ClusterConfig& config, std::string_view topic,
                                             const std::map<int32_t, int64_t>& before_offset);

}  // namespace kq::kafka
