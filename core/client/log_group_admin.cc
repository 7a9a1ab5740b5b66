#include "client/log_group_admin.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "log/partition.h"
#include "log/topic_name.h"

namespace kq::client {

using groups::TopicPartition;

Status LogGroupAdmin::Open() {
  if (store_) return Status::Ok();
  KQ_ASSIGN_OR_RETURN(log::LogDir dir, log::LogDir::Open(env_, path_, false));
  dir_ = std::move(dir);
  KQ_ASSIGN_OR_RETURN(store_, groups::OffsetsStore::Open(env_, path_));
  topics_.clear();
  return Status::Ok();
}

Result<LogGroupAdmin::State> LogGroupAdmin::Load(std::string_view group) {
  KQ_RETURN_IF_ERROR(Open());
  State state;
  KQ_ASSIGN_OR_RETURN(state.offsets, store_->Fetch(group));
  KQ_ASSIGN_OR_RETURN(state.members, groups::ListLiveMembers(env_, dir_->path(), group));
  KQ_ASSIGN_OR_RETURN(state.owners,
                      groups::ListPartitionOwners(env_, dir_->path(), group, state.members));
  return state;
}

Status LogGroupAdmin::UnknownGroup(std::string_view group) const {
  return Status::NotFound(
      fmt::format("group '{}' does not exist in {}", log::EscapeForMessage(group), path_));
}

std::string LogGroupAdmin::LiveMembers(const State& state) {
  return fmt::format("{} live member(s), e.g. {}", state.members.size(),
                     state.members.front().member_id);
}

Result<int32_t> LogGroupAdmin::Partitions(const std::string& topic) {
  auto it = topics_.find(topic);
  if (it == topics_.end()) {
    Result<log::TopicInfo> info = dir_->DescribeTopic(topic);
    if (!info.ok() && !info.status().IsNotFound()) return info.status();
    it = topics_.emplace(topic, info.ok() ? std::optional(std::move(*info)) : std::nullopt).first;
  }
  if (!it->second) {
    return Status::NotFound(
        fmt::format("topic '{}' does not exist in {}", log::EscapeForMessage(topic), path_));
  }
  return it->second->partitions;
}

Result<std::optional<LogGroupAdmin::Range>> LogGroupAdmin::RangeOf(const TopicPartition& tp) {
  Result<int32_t> count = Partitions(tp.topic);
  if (!count.ok()) {
    if (count.status().IsNotFound()) return std::optional<Range>();
    return count.status();
  }
  if (tp.partition >= *count) return std::optional<Range>();
  KQ_ASSIGN_OR_RETURN(auto p, dir_->OpenPartition(*topics_.at(tp.topic), PartitionId(tp.partition),
                                                  log::OpenMode::kRead));
  return std::optional(Range{p->log_start_offset().value(), p->log_end_offset().value()});
}

Result<int64_t> LogGroupAdmin::OffsetForTimestamp(const TopicPartition& tp, int64_t ts) {
  KQ_RETURN_IF_ERROR(Partitions(tp.topic).status());
  KQ_ASSIGN_OR_RETURN(auto p, dir_->OpenPartition(*topics_.at(tp.topic), PartitionId(tp.partition),
                                                  log::OpenMode::kRead));
  KQ_ASSIGN_OR_RETURN(Offset offset, p->OffsetForTimestamp(ts));
  return offset.value();
}

Result<std::vector<GroupListing>> LogGroupAdmin::ListGroups() {
  KQ_RETURN_IF_ERROR(Open());
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> committed, store_->ListGroups());
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> folders, groups::ListGroupFolders(env_, path_));
  std::set<std::string> names(committed.begin(), committed.end());
  names.insert(folders.begin(), folders.end());
  std::vector<GroupListing> out;
  for (const std::string& name : names) {
    KQ_ASSIGN_OR_RETURN(State state, Load(name));
    if (!state.exists()) continue;  // a folder left by members that are gone
    out.push_back({name, std::nullopt, state.members.size(), state.offsets.size()});
  }
  return out;
}

Result<GroupDescription> LogGroupAdmin::DescribeGroup(std::string_view group) {
  KQ_ASSIGN_OR_RETURN(State state, Load(group));
  if (!state.exists()) return UnknownGroup(group);
  GroupDescription d;
  d.group = std::string(group);
  d.members_known = true;
  for (const groups::LiveMember& m : state.members) {
    d.members.push_back({m.member_id, m.topics, std::nullopt, std::nullopt});
  }
  // Every partition with a committed offset, an owner, or in a topic a live
  // member subscribes to.
  std::set<TopicPartition> tps;
  for (const auto& [tp, offset] : state.offsets) tps.insert(tp);
  for (const auto& [tp, member] : state.owners) tps.insert(tp);
  for (const groups::LiveMember& m : state.members) {
    for (const std::string& topic : m.topics) {
      Result<int32_t> count = Partitions(topic);
      if (!count.ok() && !count.status().IsNotFound()) return count.status();
      for (int32_t p = 0; count.ok() && p < *count; ++p) tps.insert({topic, p});
    }
  }
  for (const TopicPartition& tp : tps) {
    GroupPartitionInfo row;
    row.tp = tp;
    if (auto it = state.offsets.find(tp); it != state.offsets.end()) {
      row.committed = it->second;
      row.committed_detail = true;
    }
    if (auto it = state.owners.find(tp); it != state.owners.end()) row.member = it->second;
    KQ_ASSIGN_OR_RETURN(std::optional<Range> range, RangeOf(tp));
    if (range) row.log_end = range->end;
    // A negative commit (a Kafka client's -1 or -2) is no position: no lag.
    if (row.committed && row.committed->offset >= 0 && row.log_end)
      row.lag = *row.log_end - row.committed->offset;
    d.partitions.push_back(std::move(row));
  }
  return d;
}

Result<ResetPlan> LogGroupAdmin::PlanReset(std::string_view group,
                                           const std::vector<ResetScope>& scopes,
                                           const ResetTarget& target) {
  KQ_ASSIGN_OR_RETURN(State state, Load(group));
  if (!state.exists() && scopes.empty()) {
    return Status::NotFound(
        fmt::format("{} (to give a new group offsets, name the partitions with --topic)",
                    UnknownGroup(group).message()));
  }
  // The partitions to reset: the scopes, else every committed one.
  std::set<TopicPartition> targets;
  if (scopes.empty()) {
    for (const auto& [tp, offset] : state.offsets) targets.insert(tp);
  }
  for (const ResetScope& s : scopes) {
    KQ_ASSIGN_OR_RETURN(int32_t count, Partitions(s.topic));
    if (s.partitions.empty()) {
      for (int32_t p = 0; p < count; ++p) targets.insert({s.topic, p});
    }
    for (int32_t p : s.partitions) {
      if (p >= count) {
        return Status::NotFound(fmt::format(
            "--topic: partition {}-{} does not exist (the topic has {})", s.topic, p, count));
      }
      targets.insert({s.topic, p});
    }
  }
  ResetPlan plan;
  for (const TopicPartition& tp : targets) {
    KQ_ASSIGN_OR_RETURN(std::optional<Range> range, RangeOf(tp));
    if (!range) {  // committed for a topic that is gone: nothing to reset to
      plan.notes.push_back(
          fmt::format("Skipping {}-{}: the partition no longer exists.", tp.topic, tp.partition));
      continue;
    }
    std::optional<int64_t> current;
    if (auto it = state.offsets.find(tp); it != state.offsets.end() && it->second.offset >= 0)
      current = it->second.offset;
    auto clamp = [&](int64_t v) { return std::clamp(v, range->start, range->end); };
    int64_t next = 0;
    switch (target.kind) {
      case ResetTarget::Kind::kEarliest:
        next = range->start;
        break;
      case ResetTarget::Kind::kLatest:
        next = range->end;
        break;
      case ResetTarget::Kind::kOffset:
        next = clamp(target.value);
        break;
      case ResetTarget::Kind::kDatetime: {
        KQ_ASSIGN_OR_RETURN(next, OffsetForTimestamp(tp, target.value));
        break;
      }
      case ResetTarget::Kind::kShiftBy: {
        if (!current) {
          return Status::NotFound(fmt::format("--shift-by: {}-{} has no committed offset to shift",
                                              tp.topic, tp.partition));
        }
        // Saturate instead of overflowing on absurd shifts.
        const int64_t by = target.value;
        const int64_t shifted = by > 0 && *current > INT64_MAX - by   ? INT64_MAX
                                : by < 0 && *current < INT64_MIN - by ? INT64_MIN
                                                                      : *current + by;
        next = clamp(shifted);
        break;
      }
    }
    plan.offsets.push_back({tp, current, next});
  }
  return plan;
}

Status LogGroupAdmin::CommitOffsets(std::string_view group,
                                    const std::vector<PlannedOffset>& offsets) {
  KQ_ASSIGN_OR_RETURN(State state, Load(group));
  if (!state.members.empty()) {
    return Status::Busy(fmt::format(
        "group '{}' is active ({}): offsets can only be reset while no member is running; stop "
        "its consumers first",
        log::EscapeForMessage(group), LiveMembers(state)));
  }
  std::vector<std::pair<TopicPartition, groups::CommittedOffset>> commit;
  for (const PlannedOffset& o : offsets) {
    commit.push_back({o.tp, groups::CommittedOffset{o.next, -1, "", 0}});
  }
  return store_->Commit(group, commit);
}

Status LogGroupAdmin::DeleteGroups(const std::vector<std::string>& groups) {
  // Check every group first, so nothing is deleted when one of them cannot be.
  for (const std::string& group : groups) {
    KQ_ASSIGN_OR_RETURN(State state, Load(group));
    if (!state.exists()) return UnknownGroup(group);
    if (!state.members.empty()) {
      return Status::Busy(
          fmt::format("group '{}' is not empty: {}; stop its consumers before deleting it",
                      log::EscapeForMessage(group), LiveMembers(state)));
    }
  }
  for (const std::string& group : groups) {
    KQ_RETURN_IF_ERROR(store_->Delete(group, {}));
    Status s = groups::RemoveGroupFolder(env_, path_, group);
    if (!s.ok() && !s.IsBusy()) return s;  // Busy: someone joined meanwhile
  }
  return Status::Ok();
}

}  // namespace kq::client
