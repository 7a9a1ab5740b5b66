// GroupCoordinator: construction, the callback queue, JoinGroup, SyncGroup,
// Heartbeat and LeaveGroup. Rebalancing and timers are in
// group_rebalance.cc, offsets in group_offsets.cc, the listings and
// DeleteGroups in group_admin.cc.
#include "coordinator/group_coordinator.h"

#include <algorithm>
#include <random>

#include <fmt/format.h>

#include "coordinator/group_errors.h"
#include "groups/group_registry.h"
#include "groups/offset_commit_codec.h"

namespace kq::coordinator {
namespace {

// Kafka's member id: the group instance id (static members) or the client
// id, a dash and a random UUID.
std::string NewMemberId(std::string_view prefix) {
  static std::mt19937_64 rng{std::random_device{}()};
  const uint64_t hi = rng();
  const uint64_t lo = rng();
  return fmt::format("{}-{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", prefix, hi >> 32,
                     (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, lo & 0xffffffffffffULL);
}

JoinResult JoinError(int16_t code, std::string member_id = {}, std::string message = {}) {
  JoinResult r;
  r.error_code = code;
  r.member_id = std::move(member_id);
  r.message = std::move(message);
  return r;
}

}  // namespace

GroupCoordinator::GroupCoordinator(CoordinatorOptions options,
                                   std::unique_ptr<groups::OffsetsStore> store)
    : options_(std::move(options)), store_(std::move(store)) {
  if (!options_.clock) {
    io::Env* env = options_.env;
    options_.clock = [env] { return env->NowMs(); };
  }
  next_retention_check_ms_ = Now() + options_.offsets_retention_check_interval_ms;
}

GroupCoordinator::~GroupCoordinator() = default;

void GroupCoordinator::RunReady() {
  // A callback that calls back into the coordinator queues its own answers
  // here; they run in this loop, after it returns.
  ++call_depth_;
  while (!ready_.empty()) {
    std::vector<std::function<void()>> batch = std::move(ready_);
    ready_.clear();
    for (auto& fn : batch) fn();
  }
  --call_depth_;
}

void GroupCoordinator::RespondJoin(Member& member, JoinResult result) {
  JoinCallback cb = std::move(member.awaiting_join);
  member.awaiting_join = nullptr;
  if (cb) Defer([cb = std::move(cb), r = std::move(result)]() mutable { cb(std::move(r)); });
}

void GroupCoordinator::RespondSync(Member& member, SyncResult result) {
  SyncCallback cb = std::move(member.awaiting_sync);
  member.awaiting_sync = nullptr;
  if (cb) Defer([cb = std::move(cb), r = std::move(result)]() mutable { cb(std::move(r)); });
}

Group* GroupCoordinator::Find(const std::string& group_id) {
  auto it = groups_.find(group_id);
  return it == groups_.end() ? nullptr : &it->second;
}

Group& GroupCoordinator::GetOrCreate(const std::string& group_id) {
  auto [it, inserted] = groups_.try_emplace(group_id);
  if (inserted) {
    it->second.group_id = group_id;
    it->second.state_since_ms = Now();
  }
  return it->second;
}

void GroupCoordinator::Transition(Group& group, GroupState state) {
  group.state = state;
  group.state_since_ms = Now();
}

bool GroupCoordinator::ClaimOrRefuse(Group& group, JoinCallback& done) {
  if (group.claim) return true;
  auto claim = groups::ClaimGroupForServer(options_.env, options_.log_dir, group.group_id);
  if (claim.ok()) {
    group.claim = std::move(*claim);
    return true;
  }
  Member asker;
  asker.awaiting_join = std::move(done);
  RespondJoin(asker, JoinError(kCoordinatorNotAvailable, {}, claim.status().message()));
  return false;
}

void GroupCoordinator::MaybeReleaseClaim(Group& group) {
  if (group.members.empty() && group.pending_members.empty()) group.claim.reset();
}

JoinResult GroupCoordinator::CurrentGeneration(const Group& group, const Member& member,
                                               bool with_members) const {
  JoinResult r;
  r.generation_id = group.generation_id;
  r.protocol_type = group.protocol_type;
  r.protocol_name = group.protocol_name;
  r.leader = group.leader_id.value_or("");
  r.member_id = member.member_id;
  if (with_members && group.protocol_name) {
    for (const auto& [id, m] : group.members) {
      const std::string* metadata = m.MetadataFor(*group.protocol_name);
      r.members.push_back({id, m.group_instance_id, metadata ? *metadata : std::string()});
    }
  }
  return r;
}

void GroupCoordinator::Join(JoinRequest request, JoinCallback done) {
  CallScope scope(this);
  auto fail = [&](int16_t code, std::string member_id = {}) {
    Member asker;
    asker.awaiting_join = std::move(done);
    RespondJoin(asker, JoinError(code, std::move(member_id)));
  };
  if (shut_down_) return fail(kNotCoordinator);
  if (!groups::ValidateGroupName(request.group_id).ok()) return fail(kInvalidGroupId);
  if (request.session_timeout_ms < options_.group_min_session_timeout_ms ||
      request.session_timeout_ms > options_.group_max_session_timeout_ms) {
    return fail(kInvalidSessionTimeout);
  }
  if (request.rebalance_timeout_ms < 0) request.rebalance_timeout_ms = request.session_timeout_ms;
  const bool existed = groups_.count(request.group_id) != 0;
  if (!existed && !request.member_id.empty()) return fail(kUnknownMemberId);
  Group& group = GetOrCreate(request.group_id);
  if (ClaimOrRefuse(group, done)) {
    if (request.member_id.empty()) {
      JoinNewMember(group, request, done);
    } else {
      JoinKnownMember(group, request, done);
    }
    MaybeReleaseClaim(group);
  }
  // A refused first join leaves nothing behind.
  if (!existed && group.members.empty() && group.pending_members.empty() &&
      group.generation_id == 0) {
    groups_.erase(request.group_id);
  }
}

void GroupCoordinator::JoinNewMember(Group& group, JoinRequest& request, JoinCallback& done) {
  auto fail = [&](int16_t code, std::string member_id = {}) {
    Member asker;
    asker.awaiting_join = std::move(done);
    RespondJoin(asker, JoinError(code, std::move(member_id)));
  };
  if (group.members.size() + group.pending_members.size() >=
      static_cast<size_t>(options_.group_max_size)) {
    return fail(kGroupMaxSizeReached);
  }
  if (!group.SupportsProtocols(request.protocol_type, request.protocols)) {
    return fail(kInconsistentGroupProtocol);
  }
  std::string member_id = NewMemberId(request.group_instance_id.value_or(request.client_id));
  if (request.group_instance_id) {
    // Static members never get MEMBER_ID_REQUIRED: their instance id already
    // names them across restarts.
    if (group.StaticMemberId(request.group_instance_id) != nullptr) {
      request.member_id = std::move(member_id);
      return ReplaceStaticMember(group, request, done);
    }
    return AddMemberAndRebalance(group, request, std::move(member_id), done);
  }
  if (request.require_known_member_id) {
    // The id only becomes a member when it joins again with it, so a client
    // that dies before its second join leaves no member behind to wait for.
    group.pending_members[member_id] = Now() + request.session_timeout_ms;
    return fail(kMemberIdRequired, member_id);
  }
  AddMemberAndRebalance(group, request, std::move(member_id), done);
}

void GroupCoordinator::JoinKnownMember(Group& group, JoinRequest& request, JoinCallback& done) {
  auto fail = [&](int16_t code) {
    Member asker;
    asker.awaiting_join = std::move(done);
    RespondJoin(asker, JoinError(code, request.member_id));
  };
  if (group.IsPending(request.member_id)) {
    if (!group.SupportsProtocols(request.protocol_type, request.protocols)) {
      return fail(kInconsistentGroupProtocol);
    }
    group.pending_members.erase(request.member_id);
    return AddMemberAndRebalance(group, request, request.member_id, done);
  }
  if (group.StaticMemberFenced(request.member_id, request.group_instance_id)) {
    return fail(kFencedInstanceId);
  }
  if (!group.Has(request.member_id) ||
      (request.group_instance_id && group.StaticMemberId(request.group_instance_id) == nullptr)) {
    return fail(kUnknownMemberId);
  }
  if (!group.SupportsProtocols(request.protocol_type, request.protocols)) {
    return fail(kInconsistentGroupProtocol);
  }
  Member& member = group.members.at(request.member_id);
  switch (group.state) {
    case GroupState::kPreparingRebalance:
      return UpdateMemberAndRebalance(group, member, request, done);
    case GroupState::kCompletingRebalance:
      // A member that missed its JoinGroup response asks again: same answer.
      if (member.SameProtocols(request.protocols)) {
        member.awaiting_join = std::move(done);
        ScheduleSession(member);
        return RespondJoin(member,
                           CurrentGeneration(group, member, group.IsLeader(member.member_id)));
      }
      return UpdateMemberAndRebalance(group, member, request, done);
    case GroupState::kStable:
      // The leader rejoining asks for a new assignment (e.g. its metadata
      // saw new partitions); a follower with unchanged protocols does not.
      if (group.IsLeader(member.member_id) || !member.SameProtocols(request.protocols)) {
        return UpdateMemberAndRebalance(group, member, request, done);
      }
      member.awaiting_join = std::move(done);
      ScheduleSession(member);
      return RespondJoin(member, CurrentGeneration(group, member, false));
    case GroupState::kEmpty:
    case GroupState::kDead:
      return fail(kUnknownMemberId);
  }
}

void GroupCoordinator::AddMemberAndRebalance(Group& group, JoinRequest& request,
                                             std::string member_id, JoinCallback& done) {
  if (group.members.empty()) group.protocol_type = request.protocol_type;
  Member& member = group.members[member_id];
  member.member_id = member_id;
  member.group_instance_id = request.group_instance_id;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.protocol_type = request.protocol_type;
  member.protocols = request.protocols;
  member.awaiting_join = std::move(done);
  member.session_deadline_ms = Now() + request.session_timeout_ms;
  if (request.group_instance_id) group.static_members[*request.group_instance_id] = member_id;
  if (!group.leader_id) group.leader_id = member_id;
  if (group.state == GroupState::kPreparingRebalance && group.initial_delay) {
    group.new_member_added = true;
  }
  MaybePrepareRebalance(group);
}

void GroupCoordinator::UpdateMemberAndRebalance(Group& group, Member& member, JoinRequest& request,
                                                JoinCallback& done) {
  // A second JoinGroup while the first still waits: the client only listens
  // for the latest one, but every callback is answered.
  if (member.awaiting_join) RespondJoin(member, JoinError(kRebalanceInProgress, member.member_id));
  member.protocols = request.protocols;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  member.awaiting_join = std::move(done);
  MaybePrepareRebalance(group);
}

void GroupCoordinator::ReplaceStaticMember(Group& group, JoinRequest& request, JoinCallback& done) {
  const std::string old_id = *group.StaticMemberId(request.group_instance_id);
  Member member = std::move(group.members.at(old_id));
  group.members.erase(old_id);
  // The old incarnation is fenced at once if it still waits for an answer.
  RespondJoin(member, JoinError(kFencedInstanceId, old_id));
  SyncResult fenced;
  fenced.error_code = kFencedInstanceId;
  RespondSync(member, fenced);
  member.member_id = request.member_id;
  member.client_id = request.client_id;
  member.client_host = request.client_host;
  member.session_timeout_ms = request.session_timeout_ms;
  member.rebalance_timeout_ms = request.rebalance_timeout_ms;
  const bool same_protocols = member.SameProtocols(request.protocols);
  member.protocols = request.protocols;
  member.awaiting_join = std::move(done);
  Member& placed = group.members[member.member_id] = std::move(member);
  group.static_members[*request.group_instance_id] = placed.member_id;
  if (group.IsLeader(old_id)) group.leader_id = placed.member_id;
  switch (group.state) {
    case GroupState::kStable:
      if (same_protocols) {
        // A restart of a static member: it takes its old place and
        // assignment without a rebalance (KIP-345). A leader learns the
        // members but must not assign again (KIP-814).
        ScheduleSession(placed);
        const bool leader = group.IsLeader(placed.member_id);
        JoinResult r = CurrentGeneration(group, placed, leader);
        r.skip_assignment = leader;
        return RespondJoin(placed, std::move(r));
      }
      return PrepareRebalance(group);
    case GroupState::kCompletingRebalance:
      // The leader may already assign to the old id: assign again.
      return PrepareRebalance(group);
    case GroupState::kPreparingRebalance:
      return MaybeCompleteJoin(group);
    case GroupState::kEmpty:
    case GroupState::kDead:
      return PrepareRebalance(group);  // not reached: a static member exists
  }
}

void GroupCoordinator::Sync(SyncRequest request, SyncCallback done) {
  CallScope scope(this);
  auto answer = [&](int16_t code) {
    Member asker;
    asker.awaiting_sync = std::move(done);
    SyncResult r;
    r.error_code = code;
    RespondSync(asker, std::move(r));
  };
  if (shut_down_) return answer(kNotCoordinator);
  Group* group = Find(request.group_id);
  if (group == nullptr) return answer(kUnknownMemberId);
  if (group->StaticMemberFenced(request.member_id, request.group_instance_id)) {
    return answer(kFencedInstanceId);
  }
  if (!group->Has(request.member_id)) return answer(kUnknownMemberId);
  if (request.generation_id != group->generation_id) return answer(kIllegalGeneration);
  if ((request.protocol_type && *request.protocol_type != group->protocol_type) ||
      (request.protocol_name && group->protocol_name &&
       *request.protocol_name != *group->protocol_name)) {
    return answer(kInconsistentGroupProtocol);
  }
  Member& member = group->members.at(request.member_id);
  switch (group->state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return answer(kUnknownMemberId);
    case GroupState::kPreparingRebalance:
      return answer(kRebalanceInProgress);
    case GroupState::kCompletingRebalance: {
      if (member.awaiting_sync) {
        SyncResult again;
        again.error_code = kRebalanceInProgress;
        RespondSync(member, again);
      }
      member.awaiting_sync = std::move(done);
      if (!group->IsLeader(member.member_id)) return;
      // Members the leader did not mention get an empty assignment.
      for (auto& [id, m] : group->members) m.assignment.clear();
      for (auto& [id, bytes] : request.assignments) {
        auto it = group->members.find(id);
        if (it != group->members.end()) it->second.assignment = std::move(bytes);
      }
      Transition(*group, GroupState::kStable);
      return PropagateAssignments(*group);
    }
    case GroupState::kStable: {
      ScheduleSession(member);
      member.awaiting_sync = std::move(done);
      SyncResult r;
      r.protocol_type = group->protocol_type;
      r.protocol_name = group->protocol_name;
      r.assignment = member.assignment;
      return RespondSync(member, std::move(r));
    }
  }
}

int16_t GroupCoordinator::Heartbeat(const HeartbeatRequest& request) {
  CallScope scope(this);
  if (shut_down_) return kNotCoordinator;
  Group* group = Find(request.group_id);
  if (group == nullptr) return kUnknownMemberId;
  if (group->StaticMemberFenced(request.member_id, request.group_instance_id)) {
    return kFencedInstanceId;
  }
  if (!group->Has(request.member_id)) return kUnknownMemberId;
  if (request.generation_id != group->generation_id) return kIllegalGeneration;
  Member& member = group->members.at(request.member_id);
  switch (group->state) {
    case GroupState::kEmpty:
    case GroupState::kDead:
      return kUnknownMemberId;
    case GroupState::kPreparingRebalance:
      ScheduleSession(member);
      return kRebalanceInProgress;
    case GroupState::kCompletingRebalance:
    case GroupState::kStable:
      ScheduleSession(member);
      return kNone;
  }
  return kNone;
}

LeaveResult GroupCoordinator::Leave(const LeaveRequest& request) {
  CallScope scope(this);
  LeaveResult result;
  if (shut_down_) {
    result.error_code = kNotCoordinator;
    return result;
  }
  Group* group = Find(request.group_id);
  for (const LeavingMember& leaving : request.members) {
    int16_t code = kUnknownMemberId;
    if (group == nullptr) {
      // Unknown group: every member is unknown.
    } else if (leaving.group_instance_id) {
      const std::string* current = group->StaticMemberId(leaving.group_instance_id);
      if (current == nullptr) {
        code = kUnknownMemberId;
      } else if (!leaving.member_id.empty() && *current != leaving.member_id) {
        code = kFencedInstanceId;
      } else {
        RemoveMember(*group, std::string(*current));
        code = kNone;
      }
    } else if (group->IsPending(leaving.member_id)) {
      group->pending_members.erase(leaving.member_id);
      MaybeCompleteJoin(*group);
      code = kNone;
    } else if (group->Has(leaving.member_id)) {
      RemoveMember(*group, leaving.member_id);
      code = kNone;
    }
    result.member_errors.push_back(code);
  }
  if (group != nullptr) MaybeReleaseClaim(*group);
  return result;
}

void GroupCoordinator::Shutdown() {
  CallScope scope(this);
  for (auto& [id, group] : groups_) {
    for (auto& [mid, member] : group.members) {
      RespondJoin(member, JoinError(kNotCoordinator, mid));
      SyncResult r;
      r.error_code = kNotCoordinator;
      RespondSync(member, r);
    }
    group.claim.reset();
  }
  groups_.clear();
  shut_down_ = true;
}

}  // namespace kq::coordinator
