// Round-robin assignment of partitions to group members, the same on every
// member that sees the same inputs (Kafka's RoundRobinAssignor): partitions
// sorted by (topic, partition), members sorted by id; each partition goes to
// the next member in circular order that subscribes to its topic.
//
// Pure function, thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "groups/topic_partition.h"

namespace kq::groups {

struct MemberSubscription {
  std::string member_id;
  std::vector<std::string> topics;
};

// member id -> its partitions (sorted). Every member appears, possibly with
// no partitions. `partition_counts` gives each topic's partition count;
// topics missing there (or with 0 partitions) contribute nothing. Duplicate
// member ids are treated as one member.
std::map<std::string, std::vector<TopicPartition>> AssignRoundRobin(
    std::vector<MemberSubscription> members,
    const std::map<std::string, int32_t>& partition_counts);

}  // namespace kq::groups
