#include "replica/follower.h"

#include <fmt/format.h>

#include "format/record_batch.h"
#include "replica/follower_log.h"

namespace kq::replica {
namespace {

bool IsCompacted(const log::TopicConfig& config) {
  auto policy = config.Get("cleanup.policy");
  return policy.ok() && policy->find("compact") != std::string::npos;
}

}  // namespace

Follower::~Follower() {
  for (auto& [key, entry] : partitions_) {
    if (entry.log) (void)entry.log->Close(log::Partition::CloseSync::kNoSync);
  }
}

Status Follower::EnsureTopic(const SourceTopic& topic) {
  log::TopicConfig config;
  for (const auto& [key, value] : topic.configs) {
    Status s = config.Set(key, value);
    if (!s.ok()) return s.WithPrefix(fmt::format("topic '{}': config {}", topic.name, key));
  }
  auto existing = dest_.DescribeTopic(topic.name);
  if (existing.status().IsNotFound()) {
    KQ_ASSIGN_OR_RETURN(log::TopicInfo made,
                        dest_.EnsureTopic(topic.name, topic.partitions, config));
    summary_->topics_created++;
    existing = made;
  }
  KQ_RETURN_IF_ERROR(existing.status());
  if (existing->partitions < topic.partitions) {
    KQ_RETURN_IF_ERROR(dest_.AddPartitions(topic.name, topic.partitions));
  }
  std::vector<log::ConfigChange> changes;
  for (const auto& [key, value] : topic.configs) {
    auto have = existing->config.Get(key);
    if (!existing->config.explicit_keys().contains(key) || !have.ok() || *have != value) {
      changes.push_back({key, value});
    }
  }
  for (const std::string& key : existing->config.explicit_keys()) {
    if (!topic.configs.contains(key)) changes.push_back({key, std::nullopt});
  }
  if (!changes.empty()) KQ_RETURN_IF_ERROR(dest_.AlterTopicConfig(topic.name, changes));
  KQ_ASSIGN_OR_RETURN(topics_[topic.name], dest_.DescribeTopic(topic.name));
  return Status::Ok();
}

Result<Follower::Entry*> Follower::Find(const std::string& topic, PartitionId partition) {
  auto key = std::make_pair(topic, partition.value());
  auto it = partitions_.find(key);
  if (it != partitions_.end()) return &it->second;
  auto t = topics_.find(topic);
  if (t == topics_.end()) {
    return Status::Internal(fmt::format("topic '{}' was not prepared before use", topic));
  }
  Entry entry{t->second, nullptr, IsCompacted(t->second.config), false};
  KQ_ASSIGN_OR_RETURN(entry.log, dest_.OpenPartition(t->second, partition, log::OpenMode::kWrite));
  summary_->partitions++;
  return &partitions_.emplace(key, std::move(entry)).first->second;
}

Result<log::Partition*> Follower::Open(const std::string& topic, PartitionId partition) {
  KQ_ASSIGN_OR_RETURN(Entry * e, Find(topic, partition));
  return e->log.get();
}

Status Follower::Reconcile(const std::string& topic, PartitionId partition,
                           const SourceOffsets& leader, const AskEpochEnd& ask) {
  KQ_ASSIGN_OR_RETURN(Entry * e, Find(topic, partition));
  KQ_ASSIGN_OR_RETURN(FollowerLogState state, FollowerState(*e->log));
  KQ_ASSIGN_OR_RETURN(Offset common, CommonEnd(state, leader.log_end, ask));
  if (common < state.log_end) {
    KQ_RETURN_IF_ERROR(e->log->TruncateTo(common));
    summary_->truncations++;
    e->changed = true;
  }
  const Offset end = e->log->log_end_offset();
  if (leader.log_start > end) {
    KQ_RETURN_IF_ERROR(RestartAt(dest_, e->topic, partition, leader.log_start, &e->log));
    summary_->restarts++;
    e->changed = true;
  } else if (leader.log_start > e->log->log_start_offset()) {
    KQ_RETURN_IF_ERROR(e->log->AdvanceLogStart(leader.log_start));
    e->changed = true;
  }
  return Status::Ok();
}

Status Follower::TruncateToLeaderEnd(const std::string& topic, PartitionId partition,
                                     Offset leader_end) {
  KQ_ASSIGN_OR_RETURN(Entry * e, Find(topic, partition));
  if (leader_end >= e->log->log_end_offset()) return Status::Ok();
  KQ_RETURN_IF_ERROR(e->log->TruncateTo(leader_end));
  summary_->truncations++;
  e->changed = true;
  return Status::Ok();
}

Status Follower::Append(const std::string& topic, PartitionId partition,
                        std::span<const std::string> batches, std::string_view source) {
  KQ_ASSIGN_OR_RETURN(Entry * e, Find(topic, partition));
  const Offset end = e->log->log_end_offset();
  size_t first_new = batches.size();
  uint64_t position = 0;
  for (size_t i = 0; i < batches.size(); ++i) {
    const std::string& b = batches[i];
    auto header = format::DecodeBatchHeader(b);
    Status valid = header.ok() ? format::ValidateBatch(b) : header.status();
    if (!valid.ok()) {
      return Status::Corruption(fmt::format(
          "{}: {}-{}: batch {} (offset {}, byte {} of the fetch) refused: {}", source, topic,
          partition.value(), i, header.ok() ? fmt::to_string(header->base_offset) : "unknown",
          position, valid.message()));
    }
    position += b.size();
    if (Offset(header->next_offset()) <= end) continue;  // already held
    if (Offset(header->base_offset) < end) {
      return Status::Conflict(fmt::format(
          "{}: {}-{}: batch {}..{} straddles the follower's end {}: the logs differ", source, topic,
          partition.value(), header->base_offset, header->last_offset(), end.value()));
    }
    if (first_new == batches.size()) first_new = i;
  }
  if (first_new == batches.size()) return Status::Ok();
  std::span<const std::string> fresh = batches.subspan(first_new);
  auto appended = e->log->AppendAsFollower(fresh, {.allow_gaps = e->compacted});
  if (!appended.ok()) return appended.status().WithPrefix(std::string(source));
  e->dirty = true;
  e->changed = true;
  summary_->batches += static_cast<int64_t>(fresh.size());
  summary_->bytes += static_cast<int64_t>(appended->bytes);
  return Status::Ok();
}

Status Follower::SyncPartition(const std::string& topic, PartitionId partition) {
  KQ_ASSIGN_OR_RETURN(Entry * e, Find(topic, partition));
  if (!e->dirty) return Status::Ok();
  KQ_RETURN_IF_ERROR(e->log->Sync());
  e->dirty = false;
  return Status::Ok();
}

Status Follower::SyncAll() {
  for (auto& [key, e] : partitions_) {
    if (!e.dirty) continue;
    KQ_RETURN_IF_ERROR(e.log->Sync());
    e.dirty = false;
  }
  return Status::Ok();
}

Status Follower::Close() {
  Status first;
  for (auto& [key, e] : partitions_) {
    Status s = e.log->Close(e.changed ? log::Partition::CloseSync::kSync
                                      : log::Partition::CloseSync::kNoSync);
    if (first.ok() && !s.ok()) first = s;
  }
  partitions_.clear();
  return first;
}

}  // namespace kq::replica
