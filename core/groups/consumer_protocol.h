// Kafka's ConsumerProtocol Assignment: the opaque bytes a group leader hands
// each member in SyncGroup, which DescribeGroups returns as a member's
// assignment. Grammar (the classic encoding, all integers big-endian):
//
//   assignment := version:int16
//                 topic_count:int32 assigned_topic[topic_count]
//                 user_data_length:int32 user_data:bytes[user_data_length]
//   assigned_topic := topic_length:int16 topic:bytes[topic_length]
//                     partition_count:int32 partition:int32[partition_count]
//   user_data_length -1 = null user data.
//
// Versions 0..3 share this layout. A newer version is read as version 3,
// ignoring what follows (Kafka's rule: later versions only append fields);
// a negative version is Corruption. Worked example in core/FORMAT.md.
//
// Pure functions over bytes, no I/O; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "groups/topic_partition.h"

namespace kq::groups {

inline constexpr int16_t kConsumerProtocolMaxVersion = 3;

struct AssignedTopic {
  std::string topic;
  std::vector<int32_t> partitions;  // in encoded order
  bool operator==(const AssignedTopic&) const = default;
};

struct ConsumerAssignment {
  int16_t version = 0;
  std::vector<AssignedTopic> topics;     // in encoded order
  std::optional<std::string> user_data;  // nullopt: null
  bool operator==(const ConsumerAssignment&) const = default;

  // Every assigned partition, in encoded order.
  std::vector<TopicPartition> Partitions() const;
};

// Appends the encoding of `assignment` to *dst. REQUIRES: topic names fit in
// int16, counts and user data in int32.
void EncodeAssignment(const ConsumerAssignment& assignment, std::string* dst);

// Decodes one assignment from `bytes` (the whole field). A short field, a
// negative length or count, a count larger than the bytes could hold, or
// (for versions 0..3) bytes left after the user data are Corruption naming
// the field and byte position, e.g.
//   "assignment: partition count at byte 18: 2 does not fit in the 2 bytes left"
// (the position is where decoding stopped, after the field).
Result<ConsumerAssignment> DecodeAssignment(std::string_view bytes);

}  // namespace kq::groups
