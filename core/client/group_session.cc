#include "client/group_session.h"

#include <algorithm>
#include <chrono>

namespace kq::client {

Result<std::unique_ptr<GroupSession>> GroupSession::Join(io::Env* env, const std::string& dir,
                                                         std::string group,
                                                         std::vector<std::string> topics,
                                                         Consumer* consumer,
                                                         StartPosition fallback) {
  std::unique_ptr<GroupSession> s(new GroupSession(group, consumer, fallback));
  KQ_ASSIGN_OR_RETURN(s->store_, groups::OffsetsStore::Open(env, dir));
  std::sort(topics.begin(), topics.end());
  topics.erase(std::unique(topics.begin(), topics.end()), topics.end());
  KQ_ASSIGN_OR_RETURN(s->member_,
                      groups::GroupMember::Join(env, dir, std::move(group), std::move(topics)));
  return s;
}

Status GroupSession::Commit() {
  std::vector<std::pair<groups::TopicPartition, groups::CommittedOffset>> batch;
  const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  for (const auto& [tp, pos] : consumer_->Positions()) {
    auto it = committed_.find(tp);
    if (it != committed_.end() && it->second == pos.offset) continue;
    if (!member_->Owns(tp)) continue;  // someone else's now: never overwrite their progress
    batch.push_back({tp, groups::CommittedOffset{pos.offset, pos.leader_epoch, "", now}});
  }
  if (batch.empty()) return Status::Ok();
  KQ_RETURN_IF_ERROR(store_->Commit(group_, batch));
  for (const auto& [tp, c] : batch) committed_[tp] = c.offset;
  return Status::Ok();
}

Status GroupSession::Gain(
    const groups::TopicPartition& tp,
    const std::map<groups::TopicPartition, groups::CommittedOffset>& committed) {
  auto it = committed.find(tp);
  // A negative commit (a Kafka client's -1 or -2) is no position at all.
  if (it == committed.end() || it->second.offset < 0) return consumer_->Assign(tp, fallback_);
  committed_[tp] = it->second.offset;
  return consumer_->Assign(tp, StartPosition::AtOffset(it->second.offset));
}

Result<bool> GroupSession::Rebalance() {
  KQ_RETURN_IF_ERROR(Commit());
  KQ_ASSIGN_OR_RETURN(std::vector<groups::TopicPartition> owned, member_->Poll());
  const std::vector<groups::TopicPartition> had = consumer_->Assignment();
  bool changed = false;
  for (const auto& tp : had) {
    if (std::binary_search(owned.begin(), owned.end(), tp)) continue;
    consumer_->Unassign(tp);  // its position was committed above
    committed_.erase(tp);
    changed = true;
  }
  std::map<groups::TopicPartition, groups::CommittedOffset> offsets;
  bool fetched = false;
  for (const auto& tp : owned) {
    if (std::binary_search(had.begin(), had.end(), tp)) continue;
    if (!fetched) {
      // Read the commits only after owning the partition: the previous owner
      // committed before it let go.
      KQ_ASSIGN_OR_RETURN(offsets, store_->Fetch(group_));
      fetched = true;
    }
    KQ_RETURN_IF_ERROR(Gain(tp, offsets));
    changed = true;
  }
  return changed;
}

Status GroupSession::Leave(bool commit) {
  Status s = commit ? Commit() : Status::Ok();
  Status left = member_->Leave();
  return s.ok() ? left : s;
}

}  // namespace kq::client
