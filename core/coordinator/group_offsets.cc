// GroupCoordinator: OffsetCommit, OffsetFetch, OffsetDelete and the expiry
// of an empty group's offsets after offsets.retention.minutes, all through
// groups::OffsetsStore (records of __consumer_offsets).
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "coordinator/group_coordinator.h"
#include "coordinator/group_errors.h"
#include "groups/group_registry.h"
#include "groups/offset_commit_codec.h"
#include "log/topic_name.h"

namespace kq::coordinator {
namespace {

OffsetCommitResult AllPartitions(const std::vector<CommitPartition>& partitions, int16_t code) {
  OffsetCommitResult r;
  for (const CommitPartition& p : partitions) r.partitions.emplace_back(p.tp, code);
  return r;
}

}  // namespace

bool GroupCoordinator::HasOffsets(const std::string& group_id) {
  Result<std::map<groups::TopicPartition, groups::CommittedOffset>> offsets =
      store_->Fetch(group_id);
  return offsets.ok() && !offsets->empty();
}

OffsetCommitResult GroupCoordinator::CommitOffsets(const OffsetCommitRequest& request) {
  CallScope scope(this);
  const auto& parts = request.partitions;
  if (shut_down_) return AllPartitions(parts, kNotCoordinator);
  if (!groups::ValidateGroupName(request.group_id).ok())
    return AllPartitions(parts, kInvalidGroupId);
  Group* group = Find(request.group_id);
  if (group == nullptr) {
    // A client that assigns partitions itself and only stores offsets here.
    if (request.generation_id < 0) return StoreOffsets(request.group_id, parts);
    return AllPartitions(parts, kIllegalGeneration);
  }
  if (group->StaticMemberFenced(request.member_id, request.group_instance_id)) {
    return AllPartitions(parts, kFencedInstanceId);
  }
  if (request.generation_id < 0 && group->state == GroupState::kEmpty) {
    return StoreOffsets(request.group_id, parts);
  }
  if (!group->Has(request.member_id)) return AllPartitions(parts, kUnknownMemberId);
  if (request.generation_id != group->generation_id)
    return AllPartitions(parts, kIllegalGeneration);
  switch (group->state) {
    case GroupState::kStable:
    case GroupState::kPreparingRebalance:
      // A member of the current generation may still commit what it
      // consumed before it rejoins.
      ScheduleSession(group->members.at(request.member_id));
      return StoreOffsets(request.group_id, parts);
    case GroupState::kCompletingRebalance:
      // It has its new generation but not yet its assignment.
      return AllPartitions(parts, kRebalanceInProgress);
    case GroupState::kEmpty:
    case GroupState::kDead:
      return AllPartitions(parts, kUnknownMemberId);
  }
  return AllPartitions(parts, kUnknownMemberId);
}

OffsetCommitResult GroupCoordinator::StoreOffsets(const std::string& group_id,
                                                  const std::vector<CommitPartition>& partitions) {
  OffsetCommitResult result;
  std::vector<std::pair<groups::TopicPartition, groups::CommittedOffset>> batch;
  std::vector<size_t> in_batch;  // result index of each batch entry
  const int64_t now = Now();
  for (const CommitPartition& p : partitions) {
    int16_t code = kNone;
    const std::string metadata = p.metadata.value_or("");
    if (!log::ValidateTopicName(p.tp.topic).ok() || p.tp.partition < 0) {
      code = kUnknownTopicOrPartition;
    } else if (metadata.size() > static_cast<size_t>(options_.offset_metadata_max_bytes)) {
      code = kOffsetMetadataTooLarge;
    } else {
      // A negative offset is stored as given, as Kafka does: clients commit
      // -1 or -2 (kafkajs' resetOffsets, its reset after OFFSET_OUT_OF_RANGE)
      // to mean "none, use the reset policy", and readers take it so.
      batch.push_back({p.tp, groups::CommittedOffset{p.offset, p.leader_epoch, metadata, now}});
      in_batch.push_back(result.partitions.size());
    }
    result.partitions.emplace_back(p.tp, code);
  }
  if (batch.empty()) return result;
  if (Status s = store_->Commit(group_id, batch); !s.ok()) {
    for (size_t i : in_batch) result.partitions[i].second = kUnknownServerError;
    result.message = s.ToString();
  }
  return result;
}

OffsetFetchResult GroupCoordinator::FetchOffsets(const OffsetFetchRequest& request) {
  CallScope scope(this);
  OffsetFetchResult result;
  if (shut_down_) {
    result.error_code = kNotCoordinator;
    return result;
  }
  if (!groups::ValidateGroupName(request.group_id).ok()) {
    result.error_code = kInvalidGroupId;
    return result;
  }
  auto offsets = store_->Fetch(request.group_id);
  if (!offsets.ok()) {
    result.error_code = kCoordinatorNotAvailable;
    return result;
  }
  auto entry = [](const groups::TopicPartition& tp, const groups::CommittedOffset& c) {
    return FetchedOffset{tp, c.offset, c.leader_epoch, c.metadata, kNone};
  };
  if (!request.partitions) {
    for (const auto& [tp, c] : *offsets) result.partitions.push_back(entry(tp, c));
    return result;
  }
  for (const groups::TopicPartition& tp : *request.partitions) {
    auto it = offsets->find(tp);
    if (it != offsets->end()) {
      result.partitions.push_back(entry(tp, it->second));
    } else {
      FetchedOffset none;  // offset -1: nothing committed
      none.tp = tp;
      result.partitions.push_back(std::move(none));
    }
  }
  return result;
}

OffsetDeleteResult GroupCoordinator::DeleteOffsets(const OffsetDeleteRequest& request) {
  CallScope scope(this);
  OffsetDeleteResult result;
  auto group_error = [&](int16_t code) {
    result.error_code = code;
    return result;
  };
  if (shut_down_) return group_error(kNotCoordinator);
  if (!groups::ValidateGroupName(request.group_id).ok()) return group_error(kInvalidGroupId);
  auto offsets = store_->Fetch(request.group_id);
  if (!offsets.ok()) return group_error(kCoordinatorNotAvailable);
  const Group* group = Find(request.group_id);
  auto live = groups::ListLiveMembers(options_.env, options_.log_dir, request.group_id);
  if (!live.ok()) return group_error(kCoordinatorNotAvailable);
  if (group == nullptr && offsets->empty() && live->empty()) return group_error(kGroupIdNotFound);
  // Offsets of topics the group consumes now stay: its members would
  // otherwise restart them from auto.offset.reset behind its back.
  std::optional<std::set<std::string>> subscribed = std::set<std::string>();
  if (group != nullptr && !group->members.empty()) {
    if (group->protocol_type != "consumer") return group_error(kNonEmptyGroup);
    subscribed = group->SubscribedTopics();
  }
  for (const groups::LiveMember& m : *live) subscribed->insert(m.topics.begin(), m.topics.end());
  std::vector<groups::TopicPartition> doomed;
  for (const groups::TopicPartition& tp : request.partitions) {
    const bool consumed = !subscribed || subscribed->count(tp.topic) != 0;
    if (!consumed && offsets->count(tp) != 0) doomed.push_back(tp);
    result.partitions.emplace_back(tp, consumed ? kGroupSubscribedToTopic : kNone);
  }
  if (!doomed.empty() && !store_->Delete(request.group_id, doomed).ok()) {
    for (auto& [tp, code] : result.partitions) {
      if (code == kNone) code = kUnknownServerError;
    }
  }
  return result;
}

void GroupCoordinator::ExpireOffsets(int64_t now) {
  Result<std::vector<std::string>> stored = store_->ListGroups();
  if (!stored.ok()) return;  // tried again at the next check
  std::set<std::string> with_offsets(stored->begin(), stored->end());
  for (const std::string& id : *stored) {
    const Group* group = Find(id);
    if (group != nullptr && group->state != GroupState::kEmpty) continue;
    // kq-consume -G members are alive: the group is in use.
    auto live = groups::ListLiveMembers(options_.env, options_.log_dir, id);
    if (!live.ok() || !live->empty()) continue;
    auto offsets = store_->Fetch(id);
    if (!offsets.ok()) continue;
    // Kafka's rule (KIP-211): a consumer group's offsets expire together,
    // counted from when it became empty; offsets committed without a group
    // (simple commits, or a group from before a restart) one by one, from
    // their commit time.
    const bool by_group = group != nullptr && !group->protocol_type.empty();
    std::vector<groups::TopicPartition> expired;
    for (const auto& [tp, c] : *offsets) {
      const int64_t since = by_group ? group->state_since_ms : c.commit_timestamp_ms;
      if (now - since >= options_.offsets_retention_ms) expired.push_back(tp);
    }
    if (expired.empty() || !store_->Delete(id, expired).ok()) continue;
    if (expired.size() == offsets->size()) with_offsets.erase(id);
  }
  // An empty group without offsets is forgotten, as Kafka marks it Dead.
  for (auto it = groups_.begin(); it != groups_.end();) {
    const Group& g = it->second;
    const bool forget = g.state == GroupState::kEmpty && g.members.empty() &&
                        g.pending_members.empty() && with_offsets.count(it->first) == 0;
    it = forget ? groups_.erase(it) : std::next(it);
  }
}

}  // namespace kq::coordinator
