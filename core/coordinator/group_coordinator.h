// GroupCoordinator: Kafka's classic group coordinator (JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, OffsetDelete, ListGroups,
// DescribeGroups, DeleteGroups) as a state machine without sockets or wire
// codecs. The server decodes a request into the types of group_api.h, calls
// one method, and encodes what comes back.
//
// Delayed responses: Join and Sync answer through their callback, either
// before the call returns or later, from another Join/Sync/Leave/Heartbeat
// call or from Tick, once the rebalance reaches the point Kafka would answer
// at. Every callback is invoked exactly once, after the coordinator's state
// is consistent again (a callback may call back into the coordinator).
// Callbacks may outlive the connection that asked: they must check it.
//
// Time: every method reads `options.clock` (milliseconds). Deadlines
// (session timeouts, the rebalance timeout, group.initial.rebalance.delay.ms,
// the offsets retention check) fire only from Tick(now); NextDeadline() says
// when the next one is due, so the server arms a single timer for it.
//
// Offsets: committed through groups::OffsetsStore into __consumer_offsets
// (Kafka's layout), where kq-groups and kq-consume -G read them. Commit
// returns after the store synced, on the calling thread.
//
// Groups shared with kq-consume -G: a group with members here holds its
// coordinator.lock claim (groups/group_membership.h), so server-less members
// are refused while it has members. While server-less members hold a group,
// JoinGroup answers COORDINATOR_NOT_AVAILABLE (retriable: Kafka clients keep
// trying and join once the kq-consume -G members are gone), with the reason
// in JoinResult::message for the server's log. Simple commits (generation
// -1) are allowed in either case, as are kq-groups resets.
//
// Not implemented: group metadata records (key v2) are not written, so
// memberships do not survive a restart (offsets do): members rejoin and get
// UNKNOWN_MEMBER_ID first, as after a Kafka coordinator move.
//
// Thread safety: none; call from one thread (the server's loop). The Env
// must outlive the coordinator.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "coordinator/group.h"
#include "coordinator/group_api.h"
#include "groups/offsets_store.h"
#include "io/env.h"

namespace kq::coordinator {

// Kafka's broker settings, with Kafka's defaults.
struct CoordinatorOptions {
  io::Env* env = nullptr;  // required
  std::string log_dir;     // required: where coordinator.lock claims live
  // Milliseconds for timers and commit timestamps; defaults to env->NowMs().
  std::function<int64_t()> clock;
  int32_t group_min_session_timeout_ms = 6000;
  int32_t group_max_session_timeout_ms = 1800000;
  int32_t group_initial_rebalance_delay_ms = 3000;
  int32_t group_max_size = 2147483647;
  int64_t offsets_retention_ms = 7LL * 24 * 60 * 60 * 1000;  // offsets.retention.minutes
  int64_t offsets_retention_check_interval_ms = 600000;
  int32_t offset_metadata_max_bytes = 4096;
};

class GroupCoordinator {
 public:
  // `store` is the directory's offsets store (groups::OffsetsStore::Open).
  GroupCoordinator(CoordinatorOptions options, std::unique_ptr<groups::OffsetsStore> store);
  // Releases the groups' claims. Callbacks still waiting are dropped
  // unanswered: call Shutdown first to answer them.
  ~GroupCoordinator();
  GroupCoordinator(const GroupCoordinator&) = delete;
  GroupCoordinator& operator=(const GroupCoordinator&) = delete;

  // JoinGroup. `done` gets the member's generation, or an error; the leader
  // also gets the members and their metadata for the selected protocol.
  void Join(JoinRequest request, JoinCallback done);
  // SyncGroup. The leader's call carries every member's assignment; each
  // member's `done` gets its own once the leader's arrives.
  void Sync(SyncRequest request, SyncCallback done);
  // Heartbeat: REBALANCE_IN_PROGRESS tells the member to rejoin.
  int16_t Heartbeat(const HeartbeatRequest& request);
  LeaveResult Leave(const LeaveRequest& request);

  OffsetCommitResult CommitOffsets(const OffsetCommitRequest& request);
  OffsetFetchResult FetchOffsets(const OffsetFetchRequest& request);
  OffsetDeleteResult DeleteOffsets(const OffsetDeleteRequest& request);

  // Groups known here or with committed offsets; `states` filters by state
  // name (v4+), empty = all.
  ListGroupsResult ListGroups(const std::vector<std::string>& states);
  std::vector<DescribedGroup> DescribeGroups(const std::vector<std::string>& group_ids);
  // NON_EMPTY_GROUP while it has members (here or kq-consume -G ones),
  // GROUP_ID_NOT_FOUND when nothing is known about it; otherwise its offsets
  // are deleted (durably) and the group is gone.
  std::vector<std::pair<std::string, int16_t>> DeleteGroups(const std::vector<std::string>& ids);

  // Fires every deadline at or before `now_ms`.
  void Tick(int64_t now_ms);
  // The earliest pending deadline, nullopt when nothing is scheduled.
  std::optional<int64_t> NextDeadline() const;

  // Answers every waiting Join and Sync with NOT_COORDINATOR (clients look
  // for the coordinator again) and releases the groups' claims. Call before
  // the server stops; the coordinator takes no requests afterwards.
  void Shutdown();

 private:
  // Runs the callbacks queued during the outermost public call when it ends.
  class CallScope {
   public:
    explicit CallScope(GroupCoordinator* c) : c_(c) { ++c_->call_depth_; }
    ~CallScope() {
      if (--c_->call_depth_ == 0) c_->RunReady();
    }
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

   private:
    GroupCoordinator* c_;
  };
  void RespondJoin(Member& member, JoinResult result);
  void RespondSync(Member& member, SyncResult result);
  void Defer(std::function<void()> fn) { ready_.push_back(std::move(fn)); }
  void RunReady();

  int64_t Now() const { return options_.clock(); }
  Group* Find(const std::string& group_id);
  Group& GetOrCreate(const std::string& group_id);
  void Transition(Group& group, GroupState state);

  // Join paths (group_coordinator.cc).
  void JoinNewMember(Group& group, JoinRequest& request, JoinCallback& done);
  void JoinKnownMember(Group& group, JoinRequest& request, JoinCallback& done);
  void ReplaceStaticMember(Group& group, JoinRequest& request, JoinCallback& done);
  void AddMemberAndRebalance(Group& group, JoinRequest& request, std::string member_id,
                             JoinCallback& done);
  void UpdateMemberAndRebalance(Group& group, Member& member, JoinRequest& request,
                                JoinCallback& done);
  JoinResult CurrentGeneration(const Group& group, const Member& member, bool with_members) const;
  // Takes the group's coordinator.lock claim when it has none. False (and
  // `done` answered) when kq-consume -G members hold the group.
  bool ClaimOrRefuse(Group& group, JoinCallback& done);
  void MaybeReleaseClaim(Group& group);

  // Rebalancing (group_rebalance.cc).
  void MaybePrepareRebalance(Group& group);
  void PrepareRebalance(Group& group);
  void MaybeCompleteJoin(Group& group);
  void CompleteJoin(Group& group);
  void OnJoinDeadline(Group& group, int64_t now);
  void ScheduleSession(Member& member);
  void RemoveMember(Group& group, const std::string& member_id);
  void ResetAndPropagateAssignmentError(Group& group, int16_t error);
  void PropagateAssignments(Group& group);
  void ExpireSessions(Group& group, int64_t now);

  // Offsets (group_offsets.cc).
  OffsetCommitResult StoreOffsets(const std::string& group_id,
                                  const std::vector<CommitPartition>& partitions);
  void ExpireOffsets(int64_t now);
  bool HasOffsets(const std::string& group_id);

  CoordinatorOptions options_;
  std::unique_ptr<groups::OffsetsStore> store_;
  std::map<std::string, Group> groups_;
  std::vector<std::function<void()>> ready_;
  int call_depth_ = 0;
  int64_t next_retention_check_ms_ = 0;
  bool shut_down_ = false;
};

}  // namespace kq::coordinator
