// One consumer group's state as Kafka's classic group coordinator keeps it
// (GroupMetadata): members with their protocols and assignments, static
// members by instance id, members that were told MEMBER_ID_REQUIRED and have
// not joined yet, the generation, the selected protocol and the leader.
//
//   Empty --a member joins--> PreparingRebalance --all joined, or timeout--> CompletingRebalance
//                                 ^   |                                             |
//                                 |   +--nobody rejoined--> Empty    leader's Sync  |
//                                 |                                                 v
//                                 +---- a member joins, leaves, expires, or ---- Stable
//                                       changes its protocols (CompletingRebalance too)
//   Dead: deleted (DeleteGroups, or offsets expired while Empty).
//
// A plain value owned by GroupCoordinator, which makes every transition; the
// methods here only answer questions about the state. Not thread safe.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/group_api.h"
#include "groups/group_membership.h"

namespace kq::coordinator {

enum class GroupState { kEmpty, kPreparingRebalance, kCompletingRebalance, kStable, kDead };

// Kafka's names: "Empty", "PreparingRebalance", "CompletingRebalance",
// "Stable", "Dead".
std::string_view GroupStateName(GroupState state);

struct Member {
  std::string member_id;
  std::optional<std::string> group_instance_id;
  std::string client_id;
  std::string client_host;
  int32_t session_timeout_ms = 0;
  int32_t rebalance_timeout_ms = 0;
  std::string protocol_type;
  std::vector<MemberProtocol> protocols;
  std::string assignment;
  // Set while the member waits for its JoinGroup / SyncGroup response. A
  // waiting member is kept alive: its session does not expire meanwhile.
  JoinCallback awaiting_join;
  SyncCallback awaiting_sync;
  int64_t session_deadline_ms = 0;  // when it expires unless it heartbeats

  // The metadata the member sent for `protocol` (empty when it has none).
  const std::string* MetadataFor(std::string_view protocol) const;
  bool SameProtocols(const std::vector<MemberProtocol>& other) const { return protocols == other; }
};

struct Group {
  std::string group_id;
  GroupState state = GroupState::kEmpty;
  int64_t state_since_ms = 0;  // when `state` was entered
  int32_t generation_id = 0;
  std::string protocol_type;                 // "" while no member ever joined
  std::optional<std::string> protocol_name;  // selected at the end of each join phase
  std::optional<std::string> leader_id;
  std::map<std::string, Member> members;              // by member id
  std::map<std::string, std::string> static_members;  // instance id -> member id
  std::map<std::string, int64_t> pending_members;     // member id -> session deadline
  // The join phase's end: the rebalance timeout, or the initial delay for a
  // group that was empty (extended while new members keep arriving, up to
  // the rebalance timeout, as Kafka's InitialDelayedJoin).
  int64_t join_deadline_ms = 0;
  bool initial_delay = false;
  bool new_member_added = false;
  int64_t initial_delay_remaining_ms = 0;
  // Held while the group has members or pending members (group_membership.h).
  std::unique_ptr<groups::ServedGroupClaim> claim;

  bool Has(std::string_view member_id) const { return members.count(std::string(member_id)) != 0; }
  bool IsLeader(std::string_view member_id) const { return leader_id && *leader_id == member_id; }
  bool IsPending(std::string_view member_id) const {
    return pending_members.count(std::string(member_id)) != 0;
  }
  // The member id a static instance holds now, or nullptr.
  const std::string* StaticMemberId(const std::optional<std::string>& instance_id) const;
  // Kafka's isStaticMemberFenced: the instance is known under another id.
  bool StaticMemberFenced(std::string_view member_id,
                          const std::optional<std::string>& instance_id) const;

  // Kafka's supportsProtocols: an empty group takes any non-empty type and
  // list; otherwise the type must match and one protocol must be supported
  // by every member.
  bool SupportsProtocols(std::string_view type, const std::vector<MemberProtocol>& protocols) const;
  // Protocols every member supports, in no particular order.
  std::set<std::string> CandidateProtocols() const;
  // Kafka's selectProtocol: each member votes for its most preferred
  // candidate; most votes wins, ties go to the leader's earlier preference.
  // REQUIRES: members non-empty and a candidate exists.
  std::string SelectProtocol() const;
  // Every member waits for its JoinGroup response and none is pending.
  bool AllMembersJoined() const;
  size_t MembersAwaitingJoin() const;
  // The longest rebalance timeout of the members (0 without members).
  int32_t RebalanceTimeoutMs() const;
  // The topics the members subscribe to under the selected "consumer"
  // protocol; nullopt when not known (another protocol type, or metadata
  // that does not decode): then every topic counts as subscribed.
  std::optional<std::set<std::string>> SubscribedTopics() const;
};

}  // namespace kq::coordinator
