// TopicAdmin: the topics verb (create, list, describe, alter, delete, trim,
// offsets), one interface with two backends, chosen once from where the
// topics are: a log directory (LogTopicAdmin, client/log_topic_admin.h) or a
// Kafka cluster (kafka::ClusterTopicAdmin, kafka/cluster_topic_admin.h).
// kq-topics calls it for -d and -b alike, and renders what it returns once.
//
//   KQ_ASSIGN_OR_RETURN(std::vector<TopicDetail> d, admin.DescribeTopics({"orders"}));
//   KQ_RETURN_IF_ERROR(admin.AddPartitions("orders", 6));
//
// What both backends promise:
//   - a missing topic is NotFound naming it ("topic 'x' does not exist in
//     DIR" / "... at 'BROKERS'"); creating an existing one is Conflict;
//   - a figure a backend cannot know is left unset (std::nullopt), never
//     made up: a cluster has no exact record count, bytes or segments;
//   - DeleteRecords resolves and checks every target before the first
//     partition changes where the backend can (a log directory always; a
//     cluster checks offsets against its watermarks, then asks once per
//     topic).
// Errors: NotFound, Conflict, InvalidArgument (a config the backend refuses,
// a partition count that does not grow), OutOfRange (an offset past the log
// end: "partition t-0 ends at offset 4", the caller prefixes what asked for
// it), NotSupported (an operation the cluster lacks), IoError.
//
// Thread safety: one thread at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "client/consumer.h"
#include "log/log_dir.h"
#include "maint/delete_records.h"

namespace kq::client {

struct TopicListing {
  std::string name;
  int32_t partitions = 0;
};

// One config of a topic, as describe shows it.
struct TopicConfigValue {
  std::string name;
  std::optional<std::string> value;  // nullopt: not given (a cluster's null)
  bool is_default = true;            // false: set on the topic
  bool sensitive = false;            // the value must not be shown
};

struct PartitionDetail {
  int32_t partition = 0;
  int64_t log_start_offset = 0;
  int64_t log_end_offset = 0;
  // Exact when the backend counts records (TopicDetail::records_exact), else
  // end - start, an upper bound under compaction or transactions.
  uint64_t records = 0;
  std::optional<uint64_t> bytes;
  std::optional<int32_t> segments;
  std::optional<int64_t> max_timestamp;  // -1: no record
  std::optional<int32_t> leader;         // the leader broker's id
};

struct TopicDetail {
  std::string name;
  std::vector<PartitionDetail> partitions;  // ascending partition id
  bool records_exact = true;
  uint64_t records = 0;           // sum over the partitions
  std::optional<uint64_t> bytes;  // sum, when every partition's is known
  // Sorted by name. nullopt: the backend could not say; describe still
  // shows the partitions, with config_unavailable in place of the config,
  // and config_status is the error that made it so.
  std::optional<std::vector<TopicConfigValue>> config;
  std::string config_unavailable;
  Status config_status;
};

struct NewTopicSpec {
  std::string name;
  int32_t partitions = 1;
  std::vector<log::ConfigChange> configs;  // every value set
};

// One partition's offsets: earliest and latest (the log start and end), and
// for a time the first offset whose timestamp is >= it (the log end when no
// record is that new).
struct PartitionOffsets {
  std::string topic;
  int32_t partition = 0;
  int64_t earliest = 0;
  int64_t latest = 0;
  std::optional<int64_t> at;  // with a time
};

// What DeleteRecords did to one partition.
struct TrimmedPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t previous_log_start = 0;
  int64_t log_start = 0;
  uint64_t records_deleted = 0;  // exact for a directory; offsets for a cluster
};

class TopicAdmin {
 public:
  virtual ~TopicAdmin() = default;

  // Where the topics are, for messages: "in DIR" or "at 'BROKERS'".
  virtual std::string Location() const = 0;

  // Checks a config change the way CreateTopic and AlterConfig will (value
  // nullopt: back to the default), before anything changes. A directory
  // knows its configs (InvalidArgument naming the key or value); a cluster
  // accepts any, its broker decides.
  virtual Status CheckConfig(const log::ConfigChange& change) const = 0;

  // Every topic, sorted by name. A directory not created yet has none.
  virtual Result<std::vector<TopicListing>> ListTopics() = 0;
  // The partition count; NotFound for a missing topic. Cheap: reads no
  // partition.
  virtual Result<int32_t> PartitionCount(std::string_view topic) = 0;
  // Config and per-partition offsets and sizes of each named topic, or with
  // no names of every topic (one deleted meanwhile is left out). All or
  // nothing: a missing named topic fails the call. Unlike ListTopics, a
  // missing directory is NotFound.
  virtual Result<std::vector<TopicDetail>> DescribeTopics(
      const std::vector<std::string>& topics) = 0;
  // Conflict when it exists. A directory is created when missing.
  virtual Status CreateTopic(const NewTopicSpec& spec) = 0;
  virtual Status DeleteTopic(std::string_view topic) = 0;
  // Sets or resets (value nullopt) configs, keeping the others.
  virtual Status AlterConfig(std::string_view topic,
                             const std::vector<log::ConfigChange>& changes) = 0;
  // Grows the topic to `total` partitions; InvalidArgument when it does not
  // grow.
  virtual Status AddPartitions(std::string_view topic, int32_t total) = 0;
  // Every partition's earliest and latest offsets, and with at_ms the
  // offset for that time.
  virtual Result<std::vector<PartitionOffsets>> ListOffsets(std::string_view topic,
                                                            std::optional<int64_t> at_ms) = 0;
  // Advances the log start of every selected partition (a selection without
  // a partition means all of the topic's) to `before` (kafka-delete-records).
  // Results in the order of the selections, then partition.
  virtual Result<std::vector<TrimmedPartition>> DeleteRecords(
      const std::vector<TopicSelection>& targets, const maint::DeleteBefore& before) = 0;
};

}  // namespace kq::client
