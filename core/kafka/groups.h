// Consumer groups on a Kafka-protocol cluster (kq-groups -b).
//
// librdkafka calls used and why:
//   rd_kafka_list_groups                 list, and describe's members with
//       their assignments (ListGroups + DescribeGroups; the member
//       assignment bytes are Kafka's ConsumerProtocol format, parsed with a
//       bounds-checked reader). Not rd_kafka_ListConsumerGroups /
//       DescribeConsumerGroups: in 2.0.2, against a cluster without those
//       APIs (librdkafka's mock), they leave the handle unable to be
//       destroyed. A cluster without DescribeGroups gives "members unknown"
//       to describe and "no members" to reset (the broker still refuses
//       commits from outside an active group: Kafka answers
//       UNKNOWN_MEMBER_ID).
//   rd_kafka_committed                   committed offsets, asked by a
//       consumer with the group's group.id that never subscribes, for every
//       partition of every topic (describe needs no topic names, and unlike
//       ListConsumerGroupOffsets this works on librdkafka's mock cluster).
//   rd_kafka_query_watermark_offsets     log end offsets, for lag.
//   rd_kafka_commit (explicit list, sync) on a consumer with the group's
//       group.id that never subscribes: the way to set a group's offsets
//       that works on every broker version (reset --execute).
//   rd_kafka_offsets_for_times           reset --to-datetime.
//   rd_kafka_DeleteGroups                delete.
//
// Every function opens its own short-lived Client; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "kafka/client.h"

namespace kq::kafka {

struct GroupListing {
  std::string group;
  std::string state;    // the broker's name: "Stable", "Empty", "Dead", ... or "Unknown"
  bool simple = false;  // no protocol type: offsets only (e.g. set by a reset)
};

// Every group, sorted by name.
Result<std::vector<GroupListing>> ListGroups(const ClusterConfig& config);

struct GroupPartition {
  std::string topic;
  int32_t partition = 0;
  int64_t current_offset = -1;  // committed; -1: none
  int64_t log_end_offset = -1;  // high watermark
  int64_t lag = -1;             // log_end - current; -1 when no commit
  std::string member;           // consumer id of the member assigned it, or ""
};

struct GroupMember {
  std::string member_id;
  std::string client_id;
  std::string host;
};

struct GroupDescription {
  std::string group;
  std::string state;           // "Unknown" when the cluster cannot say
  bool members_known = false;  // false: the cluster cannot describe groups
  std::vector<GroupMember> members;
  std::vector<GroupPartition> partitions;  // sorted by topic, partition
};

// The group's committed offsets with log end offsets and lag, and its
// members where the cluster can describe them. NotFound "group 'g' has no
// committed offsets and no members" for an unknown group.
Result<GroupDescription> DescribeGroup(const ClusterConfig& config, std::string_view group);

struct ResetTarget {
  enum class Kind { kEarliest, kLatest, kOffset, kDatetime, kShiftBy };
  Kind kind = Kind::kEarliest;
  int64_t value = 0;  // kOffset: the offset; kDatetime: epoch ms; kShiftBy: +/- N
};

struct PlannedOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t current_offset = -1;  // -1: none committed
  int64_t new_offset = 0;       // clamped to [log start, log end], as Kafka's tool does
};

// The plan for `reset`: for each partition of `topics` (all the group's
// committed topics when empty), the new offset. Reads only.
Result<std::vector<PlannedOffset>> PlanGroupReset(const ClusterConfig& config,
                                                  std::string_view group,
                                                  const std::vector<std::string>& topics,
                                                  const ResetTarget& target);

// Commits the plan's new offsets for the group (reset --execute). Busy
// "group 'g' has N active members: stop them first" when the cluster
// reports members.
Status ExecuteGroupReset(const ClusterConfig& config, std::string_view group,
                         const std::vector<PlannedOffset>& plan);

// Deletes the group and its offsets. Busy when it has members, NotFound when
// it does not exist.
Status DeleteGroup(const ClusterConfig& config, std::string_view group);

}  // namespace kq::kafka
