#include "replica/dir_source.h"

#include <fmt/format.h>

#include "replica/batch_split.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition_files.h"

namespace kq::replica {

Result<std::unique_ptr<DirSource>> DirSource::Open(io::Env* env, const std::string& path) {
  KQ_ASSIGN_OR_RETURN(log::LogDir dir, log::LogDir::Open(env, path, /*create_if_missing=*/false));
  return std::unique_ptr<DirSource>(new DirSource(std::move(dir)));
}

Result<std::vector<SourceTopic>> DirSource::ListTopics() {
  KQ_ASSIGN_OR_RETURN(std::vector<std::string> names, dir_.ListTopics());
  std::vector<SourceTopic> out;
  for (const std::string& name : names) {
    auto info = dir_.DescribeTopic(name);
    if (info.status().IsNotFound()) continue;  // deleted since the listing
    KQ_RETURN_IF_ERROR(info.status());
    SourceTopic t{name, info->partitions, {}};
    for (const std::string& key : info->config.explicit_keys()) {
      KQ_ASSIGN_OR_RETURN(t.configs[key], info->config.Get(key));
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<log::Partition*> DirSource::Refreshed(const std::string& topic, PartitionId partition) {
  auto key = std::make_pair(topic, partition.value());
  auto it = partitions_.find(key);
  if (it == partitions_.end()) {
    KQ_ASSIGN_OR_RETURN(auto p, dir_.OpenPartition(topic, partition, log::OpenMode::kRead));
    it = partitions_.emplace(key, std::move(p)).first;
    return it->second.get();
  }
  // A deleted topic loses its metadata first (log_dir.h); its open
  // partition would otherwise look like an empty log, and a follower would
  // truncate its copy to match.
  if (!dir_.env()->FileExists(dir_.TopicMetadataPath(topic))) {
    partitions_.erase(it);
    return Status::NotFound(
        fmt::format("topic '{}' does not exist in {} (deleted)", topic, dir_.path()));
  }
  Status s = it->second->Refresh();
  if (!s.ok()) {
    partitions_.erase(it);  // reopened next time (a deleted topic is NotFound then)
    return s;
  }
  return it->second.get();
}

Result<SourceOffsets> DirSource::Offsets(const std::string& topic, PartitionId partition) {
  KQ_ASSIGN_OR_RETURN(log::Partition * p, Refreshed(topic, partition));
  return SourceOffsets{p->log_start_offset(), p->log_end_offset()};
}

Result<std::vector<log::EpochEntry>> DirSource::Epochs(const std::string& topic,
                                                       PartitionId partition) {
  KQ_ASSIGN_OR_RETURN(log::Partition * p, Refreshed(topic, partition));
  KQ_ASSIGN_OR_RETURN(
      std::vector<log::EpochEntry> entries,
      log::leader_epoch::Read(dir_.env(), p->dir() + "/" + log::kLeaderEpochCheckpoint));
  // An epoch starting exactly at the end is a leader with no record yet in
  // it (Kafka answers it too); one past the end is a crash's leftover.
  while (!entries.empty() && entries.back().start_offset > p->log_end_offset()) entries.pop_back();
  return entries;
}

Result<log::EpochEndOffset> DirSource::EndOffsetForEpoch(const std::string& topic,
                                                         PartitionId partition, Epoch epoch) {
  KQ_ASSIGN_OR_RETURN(std::vector<log::EpochEntry> entries, Epochs(topic, partition));
  KQ_ASSIGN_OR_RETURN(log::Partition * p, Refreshed(topic, partition));
  return log::leader_epoch::EndOffsetFor(entries, epoch, p->log_end_offset());
}

void DirSource::ReadAll(std::span<const FetchPosition> positions, size_t max_bytes,
                        std::vector<FetchedPartition>* out, bool* any_data) {
  out->clear();
  *any_data = false;
  for (const FetchPosition& pos : positions) {
    FetchedPartition& f = out->emplace_back();
    auto p = Refreshed(pos.topic, pos.partition);
    if (!p.ok()) {
      f.status = p.status();
      continue;
    }
    f.offsets = {(*p)->log_start_offset(), (*p)->log_end_offset()};
    if (pos.from < f.offsets.log_start || pos.from > f.offsets.log_end) {
      f.status = Status::OutOfRange(
          fmt::format("{}: offset {} is outside the log ({}..{})", (*p)->Name(), pos.from.value(),
                      f.offsets.log_start.value(), f.offsets.log_end.value()));
      continue;
    }
    if (pos.from == f.offsets.log_end) continue;
    auto chunk = (*p)->Read(pos.from, max_bytes);
    if (!chunk.ok()) {
      f.status = chunk.status();
      continue;
    }
    // Read verified every CRC; the follower checks them again on append.
    auto split =
        SplitBatches(chunk->bytes, fmt::format("{} at offset {}", (*p)->Name(), pos.from.value()),
                     {.check_crc = false});
    if (!split.ok()) {
      f.status = split.status();
      continue;
    }
    f.batches = std::move(split->batches);
    *any_data = *any_data || !f.batches.empty();
  }
}

Status DirSource::WaitForChange(std::span<const FetchPosition> positions,
                                std::chrono::milliseconds wait) {
  if (!watcher_) {
    KQ_ASSIGN_OR_RETURN(watcher_, log::FollowWatcher::Create({}));
  }
  for (const FetchPosition& pos : positions) {
    // A refused watch is covered by the poll timer (follow_watcher.h).
    (void)watcher_->Watch(dir_.PartitionPath(pos.topic, pos.partition));
  }
  return watcher_->Wait(wait).status();
}

Result<std::vector<FetchedPartition>> DirSource::Fetch(std::span<const FetchPosition> positions,
                                                       size_t max_bytes_per_partition,
                                                       std::chrono::milliseconds max_wait) {
  const auto deadline = std::chrono::steady_clock::now() + max_wait;
  std::vector<FetchedPartition> out;
  for (;;) {
    bool any_data = false;
    ReadAll(positions, max_bytes_per_partition, &out, &any_data);
    if (any_data) return out;
    for (const FetchedPartition& f : out) {
      if (!f.status.ok()) return out;  // an error is news too
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline || positions.empty()) return out;
    KQ_RETURN_IF_ERROR(WaitForChange(
        positions, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now)));
  }
}

}  // namespace kq::replica
