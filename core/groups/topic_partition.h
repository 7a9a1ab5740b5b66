// TopicPartition and CommittedOffset: the vocabulary shared by the offsets
// store, group membership and the tools that use them.
#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace kq::groups {

// One partition of one topic. Ordered by (topic, partition), which is the
// order assignments and listings use.
struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

// What a group committed for one partition: the offset of the next record to
// consume (Kafka's convention), the leader epoch of the record before it (-1
// when unknown), free-form metadata and the wall-clock time of the commit.
struct CommittedOffset {
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::string metadata;
  int64_t commit_timestamp_ms = 0;
};

}  // namespace kq::groups
