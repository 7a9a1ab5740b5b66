// The group coordinator's requests and results: the fields of Kafka's
// JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch,
// OffsetDelete, ListGroups, DescribeGroups and DeleteGroups that the
// coordinator reads or fills, independent of any wire version. Handlers fill a
// request from the decoded message (defaults stand for fields an older
// version lacks) and copy a result into the response of the version asked.
// Errors are Kafka's codes (group_errors.h).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "groups/topic_partition.h"

namespace kq::coordinator {

// One entry of a member's ordered protocol list (name and its metadata,
// e.g. "range" and a ConsumerProtocolSubscription).
struct MemberProtocol {
  std::string name;
  std::string metadata;
  bool operator==(const MemberProtocol&) const = default;
};

struct JoinRequest {
  std::string group_id;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = -1;             // v0 has none: -1 means the session timeout
  std::string member_id;                         // "" on a first join
  std::optional<std::string> group_instance_id;  // v5+: static membership
  std::string protocol_type;                     // "consumer", "connect", ...
  std::vector<MemberProtocol> protocols;         // in the member's order of preference
  std::string client_id;
  std::string client_host;
  // v4+: a first join without member id gets MEMBER_ID_REQUIRED and an id to
  // join again with. False for v0..v3.
  bool require_known_member_id = false;
  std::string reason;  // v8+, logged only
};

// A member as the leader sees it in its JoinGroup response.
struct JoinMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string metadata;  // for the selected protocol
};

struct JoinResult {
  int16_t error_code = 0;
  int32_t generation_id = -1;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string leader;
  bool skip_assignment = false;  // v9+: a static leader rejoined a stable group
  std::string member_id;
  std::vector<JoinMember> members;  // the leader's response only
  // Why the request was refused, for the server's log (Kafka's JoinGroup has
  // no error message field): e.g. the group is held by kq-consume -G.
  std::string message;
};

struct SyncRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::optional<std::string> protocol_type;                      // v5+: checked when present
  std::optional<std::string> protocol_name;                      // v5+: checked when present
  std::vector<std::pair<std::string, std::string>> assignments;  // leader: member id -> bytes
};

struct SyncResult {
  int16_t error_code = 0;
  std::optional<std::string> protocol_type;
  std::optional<std::string> protocol_name;
  std::string assignment;
};

using JoinCallback = std::function<void(JoinResult)>;
using SyncCallback = std::function<void(SyncResult)>;

struct HeartbeatRequest {
  std::string group_id;
  int32_t generation_id = -1;
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

// v0..v2 name one member (member_id); v3+ a batch, possibly static members
// named only by their instance id.
struct LeavingMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
};

struct LeaveRequest {
  std::string group_id;
  std::vector<LeavingMember> members;
};

struct LeaveResult {
  int16_t error_code = 0;              // group-level
  std::vector<int16_t> member_errors;  // one per request member, same order
};

struct CommitPartition {
  groups::TopicPartition tp;
  int64_t offset = 0;
  int32_t leader_epoch = -1;
  std::optional<std::string> metadata;  // null is stored as ""
};

struct OffsetCommitRequest {
  std::string group_id;
  int32_t generation_id = -1;  // -1: a simple commit by a client outside the group
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::vector<CommitPartition> partitions;
};

struct OffsetCommitResult {
  std::vector<std::pair<groups::TopicPartition, int16_t>> partitions;  // request order
  std::string message;  // why a store write failed, for the server's log
};

struct OffsetFetchRequest {
  std::string group_id;
  std::optional<std::vector<groups::TopicPartition>> partitions;  // nullopt: all committed
};

struct FetchedOffset {
  groups::TopicPartition tp;
  int64_t offset = -1;  // -1: nothing committed
  int32_t leader_epoch = -1;
  std::string metadata;
  int16_t error_code = 0;
};

struct OffsetFetchResult {
  int16_t error_code = 0;
  std::vector<FetchedOffset> partitions;
};

struct OffsetDeleteRequest {
  std::string group_id;
  std::vector<groups::TopicPartition> partitions;
};

struct OffsetDeleteResult {
  int16_t error_code = 0;
  std::vector<std::pair<groups::TopicPartition, int16_t>> partitions;
};

struct ListedGroup {
  std::string group_id;
  std::string protocol_type;
  std::string state;  // "Empty", "PreparingRebalance", "CompletingRebalance", "Stable"
};

struct ListGroupsResult {
  int16_t error_code = 0;
  std::vector<ListedGroup> groups;
};

struct DescribedMember {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  std::string metadata;    // for the selected protocol; empty unless Stable
  std::string assignment;  // empty unless Stable
};

struct DescribedGroup {
  int16_t error_code = 0;
  std::string group_id;
  std::string state;  // Kafka's state names; "Dead" for an unknown group
  std::string protocol_type;
  std::string protocol_data;  // the selected protocol's name, when Stable
  std::vector<DescribedMember> members;
};

}  // namespace kq::coordinator
