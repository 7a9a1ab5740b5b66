// GroupCoordinator: rebalances (Kafka's prepareRebalance, DelayedJoin,
// InitialDelayedJoin, onCompleteJoin), member removal, session expiry and
// the timers behind Tick and NextDeadline.
#include <algorithm>

#include "coordinator/group_coordinator.h"
#include "coordinator/group_errors.h"

namespace kq::coordinator {

void GroupCoordinator::ScheduleSession(Member& member) {
  member.session_deadline_ms = Now() + member.session_timeout_ms;
}

void GroupCoordinator::MaybePrepareRebalance(Group& group) {
  switch (group.state) {
    case GroupState::kEmpty:
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      return PrepareRebalance(group);
    case GroupState::kPreparingRebalance:
      return MaybeCompleteJoin(group);
    case GroupState::kDead:
      return;
  }
}

void GroupCoordinator::PrepareRebalance(Group& group) {
  // Members waiting for an assignment of the generation being abandoned
  // learn at once that they must rejoin.
  if (group.state == GroupState::kCompletingRebalance) {
    ResetAndPropagateAssignmentError(group, kRebalanceInProgress);
  }
  const int64_t now = Now();
  const int32_t delay = options_.group_initial_rebalance_delay_ms;
  if (group.state == GroupState::kEmpty && delay > 0) {
    // The first members of an empty group usually start together: wait a
    // little for the others instead of rebalancing once per arrival.
    group.initial_delay = true;
    group.new_member_added = false;
    group.initial_delay_remaining_ms = std::max<int64_t>(group.RebalanceTimeoutMs() - delay, 0);
    group.join_deadline_ms = now + delay;
  } else {
    group.initial_delay = false;
    group.join_deadline_ms = now + group.RebalanceTimeoutMs();
  }
  Transition(group, GroupState::kPreparingRebalance);
  MaybeCompleteJoin(group);
}

void GroupCoordinator::MaybeCompleteJoin(Group& group) {
  // The initial delay runs its course even when everybody is there.
  if (group.state == GroupState::kPreparingRebalance && !group.initial_delay &&
      group.AllMembersJoined()) {
    CompleteJoin(group);
  }
}

void GroupCoordinator::OnJoinDeadline(Group& group, int64_t now) {
  if (group.initial_delay && group.new_member_added && group.initial_delay_remaining_ms > 0) {
    group.new_member_added = false;
    const int64_t step = std::min<int64_t>(options_.group_initial_rebalance_delay_ms,
                                           group.initial_delay_remaining_ms);
    group.initial_delay_remaining_ms -= step;
    group.join_deadline_ms = now + step;
    return;
  }
  group.initial_delay = false;
  CompleteJoin(group);
}

void GroupCoordinator::CompleteJoin(Group& group) {
  // Members that did not rejoin in time are out (static ones too: their
  // instance may come back later as a new member).
  std::vector<std::string> gone;
  for (const auto& [id, member] : group.members) {
    if (!member.awaiting_join) gone.push_back(id);
  }
  for (const std::string& id : gone) {
    Member& member = group.members.at(id);
    SyncResult r;
    r.error_code = kUnknownMemberId;
    RespondSync(member, r);
    if (member.group_instance_id) group.static_members.erase(*member.group_instance_id);
    group.members.erase(id);
  }
  if (group.leader_id && !group.Has(*group.leader_id)) group.leader_id.reset();
  if (!group.leader_id && !group.members.empty()) group.leader_id = group.members.begin()->first;
  ++group.generation_id;
  if (group.members.empty()) {
    group.protocol_name.reset();
    Transition(group, GroupState::kEmpty);
    MaybeReleaseClaim(group);
    return;
  }
  group.protocol_name = group.SelectProtocol();
  Transition(group, GroupState::kCompletingRebalance);
  for (auto& [id, member] : group.members) {
    JoinResult r = CurrentGeneration(group, member, group.IsLeader(id));
    RespondJoin(member, std::move(r));
    ScheduleSession(member);
  }
}

void GroupCoordinator::ResetAndPropagateAssignmentError(Group& group, int16_t error) {
  for (auto& [id, member] : group.members) {
    member.assignment.clear();
    SyncResult r;
    r.error_code = error;
    RespondSync(member, r);
  }
}

void GroupCoordinator::PropagateAssignments(Group& group) {
  for (auto& [id, member] : group.members) {
    if (!member.awaiting_sync) continue;
    SyncResult r;
    r.protocol_type = group.protocol_type;
    r.protocol_name = group.protocol_name;
    r.assignment = member.assignment;
    RespondSync(member, std::move(r));
    ScheduleSession(member);
  }
}

void GroupCoordinator::RemoveMember(Group& group, const std::string& member_id) {
  Member& member = group.members.at(member_id);
  JoinResult unknown;
  unknown.error_code = kUnknownMemberId;
  unknown.member_id = member_id;
  RespondJoin(member, std::move(unknown));
  SyncResult r;
  r.error_code = kUnknownMemberId;
  RespondSync(member, r);
  if (member.group_instance_id) group.static_members.erase(*member.group_instance_id);
  group.members.erase(member_id);
  if (group.IsLeader(member_id)) {
    group.leader_id.reset();
    // Prefer a member that is already rejoining.
    for (const auto& [id, m] : group.members) {
      if (m.awaiting_join) {
        group.leader_id = id;
        break;
      }
    }
    if (!group.leader_id && !group.members.empty()) group.leader_id = group.members.begin()->first;
  }
  switch (group.state) {
    case GroupState::kStable:
    case GroupState::kCompletingRebalance:
      return PrepareRebalance(group);
    case GroupState::kPreparingRebalance:
      return MaybeCompleteJoin(group);
    case GroupState::kEmpty:
    case GroupState::kDead:
      return;
  }
}

void GroupCoordinator::ExpireSessions(Group& group, int64_t now) {
  bool pending_gone = false;
  for (auto it = group.pending_members.begin(); it != group.pending_members.end();) {
    if (it->second <= now) {
      it = group.pending_members.erase(it);
      pending_gone = true;
    } else {
      ++it;
    }
  }
  if (pending_gone) MaybeCompleteJoin(group);
  // A member waiting for its JoinGroup or SyncGroup answer is kept alive:
  // it cannot heartbeat meanwhile (Kafka's shouldKeepAlive).
  std::vector<std::string> expired;
  for (const auto& [id, member] : group.members) {
    if (!member.awaiting_join && !member.awaiting_sync && member.session_deadline_ms <= now) {
      expired.push_back(id);
    }
  }
  for (const std::string& id : expired) {
    if (group.Has(id)) RemoveMember(group, id);
  }
}

void GroupCoordinator::Tick(int64_t now_ms) {
  CallScope scope(this);
  if (shut_down_) return;
  std::vector<std::string> ids;
  for (const auto& [id, group] : groups_) ids.push_back(id);
  for (const std::string& id : ids) {
    Group* group = Find(id);
    if (group == nullptr) continue;
    if (group->state == GroupState::kPreparingRebalance && group->join_deadline_ms <= now_ms) {
      OnJoinDeadline(*group, now_ms);
    }
    ExpireSessions(*group, now_ms);
    MaybeReleaseClaim(*group);
  }
  if (now_ms >= next_retention_check_ms_) {
    ExpireOffsets(now_ms);
    next_retention_check_ms_ = now_ms + options_.offsets_retention_check_interval_ms;
  }
}

std::optional<int64_t> GroupCoordinator::NextDeadline() const {
  if (shut_down_) return std::nullopt;
  int64_t next = next_retention_check_ms_;
  for (const auto& [id, group] : groups_) {
    if (group.state == GroupState::kPreparingRebalance) {
      next = std::min(next, group.join_deadline_ms);
    }
    for (const auto& [mid, deadline] : group.pending_members) next = std::min(next, deadline);
    for (const auto& [mid, member] : group.members) {
      if (!member.awaiting_join && !member.awaiting_sync) {
        next = std::min(next, member.session_deadline_ms);
      }
    }
  }
  return next;
}

}  // namespace kq::coordinator
