#include "server/partition_manager.h"

#include <fmt/format.h>

namespace kq::server {

PartitionManager::~PartitionManager() { (void)CloseAll(); }

Result<log::TopicInfo> PartitionManager::Topic(const std::string& topic) {
  return log_dir_->DescribeTopic(topic);
}

Result<log::Partition*> PartitionManager::Get(const std::string& topic, int32_t partition) {
  auto key = std::make_pair(topic, partition);
  if (auto it = partitions_.find(key); it != partitions_.end()) {
    if (it->second->broken().ok()) return it->second.get();
    partitions_.erase(it);  // a failed write left it unusable: reopen
  }
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, log_dir_->DescribeTopic(topic));
  KQ_RETURN_IF_ERROR(log::LogDir::CheckPartition(info, PartitionId(partition)));
  // Clients check every batch's CRC themselves, so a Fetch reads only batch
  // headers (and sends the rest from the file) instead of checking them too.
  log::PartitionOptions options =
      log::PartitionOptionsFor(log_dir_->env(), info.name, partition, info.config);
  options.verify_reads = false;
  KQ_ASSIGN_OR_RETURN(
      auto p, log::Partition::Open(log_dir_->PartitionPath(topic, PartitionId(partition)), options,
                                   log::OpenMode::kWrite));
  log::Partition* raw = p.get();
  partitions_.emplace(std::move(key), std::move(p));
  return raw;
}

void PartitionManager::Forget(const std::string& topic) {
  for (auto it = partitions_.begin(); it != partitions_.end();) {
    if (it->first.first == topic) {
      (void)it->second->Close(log::Partition::CloseSync::kNoSync);
      it = partitions_.erase(it);
    } else {
      ++it;
    }
  }
}

Status PartitionManager::CloseAll() {
  Status first;
  for (auto& [key, p] : partitions_) {
    Status s = p->Close(log::Partition::CloseSync::kSync);
    if (!s.ok() && first.ok()) first = s;
  }
  partitions_.clear();
  return first;
}

}  // namespace kq::server
