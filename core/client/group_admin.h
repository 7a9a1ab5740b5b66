// GroupAdmin: the consumer-groups verb (list, describe, reset, delete), one
// interface with two backends, chosen once from where the groups are: a log
// directory (LogGroupAdmin, client/log_group_admin.h: offsets in
// __consumer_offsets, members in .kq/groups/) or a Kafka cluster
// (kafka::ClusterGroupAdmin, kafka/cluster_group_admin.h). kq-groups calls it
// for -d and -b alike and renders what it returns once.
//
//   KQ_ASSIGN_OR_RETURN(ResetPlan plan, admin.PlanReset("billing", {}, target));
//   KQ_RETURN_IF_ERROR(admin.CommitOffsets("billing", plan.offsets));
//
// What both backends promise:
//   - an unknown group is NotFound naming it;
//   - a figure a backend cannot know is left unset (std::nullopt), never
//     made up (a cluster without DescribeGroups cannot say who the members
//     are: members_known is false);
//   - offsets are only committed while the group has no live member (Busy
//     otherwise: a running consumer would overwrite them with its next
//     commit), and a reset's new offsets lie within each partition's log
//     start and end.
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
#include "groups/topic_partition.h"

namespace kq::client {

struct GroupListing {
  std::string group;
  std::optional<std::string> state;            // the cluster's name: "Stable", "Empty", ...
  std::optional<size_t> members;               // live members
  std::optional<size_t> committed_partitions;  // partitions with a commit
};

struct GroupMemberInfo {
  std::string member_id;
  std::optional<std::vector<std::string>> topics;  // its subscription
  std::optional<std::string> client_id;
  std::optional<std::string> host;
};

struct GroupPartitionInfo {
  groups::TopicPartition tp;
  // The commit, when there is one; the fields the backend does not know are
  // left at CommittedOffset's defaults and committed_detail is false.
  std::optional<groups::CommittedOffset> committed;
  bool committed_detail = false;  // leader epoch, metadata and time are real
  std::optional<int64_t> log_end;
  std::optional<int64_t> lag;         // log end - committed
  std::optional<std::string> member;  // the member that owns it
};

struct GroupDescription {
  std::string group;
  std::optional<std::string> state;
  bool members_known = true;  // false: the backend cannot list members
  std::vector<GroupMemberInfo> members;
  std::vector<GroupPartitionInfo> partitions;  // sorted by topic, partition
};

// Where reset moves each partition's offset.
struct ResetTarget {
  enum class Kind { kEarliest, kLatest, kOffset, kDatetime, kShiftBy };
  Kind kind = Kind::kEarliest;
  int64_t value = 0;  // kOffset: the offset; kDatetime: epoch ms; kShiftBy: +/- N
};

// Which partitions reset touches: a topic, all its partitions or some.
struct ResetScope {
  std::string topic;
  std::vector<int32_t> partitions;  // empty: all
};

struct PlannedOffset {
  groups::TopicPartition tp;
  std::optional<int64_t> current;  // committed now
  int64_t next = 0;                // within [log start, log end]
};

struct ResetPlan {
  std::vector<PlannedOffset> offsets;  // sorted by topic, partition
  // Partitions left out and why ("Skipping t-3: the partition no longer
  // exists."), for the caller to show.
  std::vector<std::string> notes;
};

class GroupAdmin {
 public:
  virtual ~GroupAdmin() = default;

  // Every group that has committed offsets or members, sorted by name.
  virtual Result<std::vector<GroupListing>> ListGroups() = 0;
  // Committed offsets with log end offsets and lag, owners and members.
  virtual Result<GroupDescription> DescribeGroup(std::string_view group) = 0;
  // The new offset of every partition in `scopes` (every partition the group
  // has committed when empty). Reads only. NotFound for an unknown group
  // without scopes, a missing topic or partition of a scope.
  virtual Result<ResetPlan> PlanReset(std::string_view group, const std::vector<ResetScope>& scopes,
                                      const ResetTarget& target) = 0;
  // Commits the planned offsets (reset --execute). Busy while the group has
  // live members.
  virtual Status CommitOffsets(std::string_view group,
                               const std::vector<PlannedOffset>& offsets) = 0;
  // Deletes the groups and their offsets. Every group is checked first where
  // the backend can (unknown: NotFound; live members: Busy), so a refusal
  // deletes none of them.
  virtual Status DeleteGroups(const std::vector<std::string>& groups) = 0;
};

}  // namespace kq::client
