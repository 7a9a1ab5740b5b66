#include "server/partition_manager.h"

#include <sys/stat.h>

#include <fmt/format.h>

namespace kq::server {

PartitionManager::~PartitionManager() { (void)CloseAll(); }

Result<log::TopicInfo> PartitionManager::Topic(const std::string& topic) {
  struct stat st {};
  std::string path = log_dir_->TopicMetadataPath(topic);
  if (::stat(path.c_str(), &st) != 0) {
    Forget(topic);                          // deleted, perhaps by another process
    return log_dir_->DescribeTopic(topic);  // its error names the topic
  }
  int64_t mtime_ns = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
  auto it = topics_.find(topic);
  if (it != topics_.end() && it->second.mtime_ns == mtime_ns && it->second.size == st.st_size &&
      it->second.inode == st.st_ino)
    return it->second.info;
  // Changed underneath: segment settings may differ, or the topic was
  // deleted and created again; reopen its partitions on their next use.
  if (it != topics_.end()) Forget(topic);
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, log_dir_->DescribeTopic(topic));
  topics_[topic] = {info, mtime_ns, st.st_size, st.st_ino};
  return info;
}

Result<log::Partition*> PartitionManager::Get(const std::string& topic, int32_t partition) {
  auto key = std::make_pair(topic, partition);
  if (auto it = partitions_.find(key); it != partitions_.end()) {
    if (it->second->broken().ok()) return it->second.get();
    partitions_.erase(it);  // a failed write left it unusable: reopen
  }
  KQ_ASSIGN_OR_RETURN(log::TopicInfo info, Topic(topic));
  KQ_RETURN_IF_ERROR(log::LogDir::CheckPartition(info, PartitionId(partition)));
  // Clients check every batch's CRC themselves, so a Fetch reads only batch
  // headers (and sends the rest from the file) instead of checking them too.
  log::PartitionOptions options =
      log::PartitionOptionsFor(log_dir_->env(), info.name, PartitionId(partition), info.config);
  options.verify_reads = false;
  const std::string dir = log_dir_->PartitionPath(topic, PartitionId(partition));
  KQ_ASSIGN_OR_RETURN(options.leader_epoch, epochs_.Choose(log_dir_->env(), key, dir));
  KQ_ASSIGN_OR_RETURN(auto p, log::Partition::Open(dir, options, log::OpenMode::kWrite));
  KQ_RETURN_IF_ERROR(
      epochs_.Record(log_dir_->env(), p.get(), options.flush != log::FlushPolicy::Kind::kOs));
  log::Partition* raw = p.get();
  partitions_.emplace(std::move(key), std::move(p));
  return raw;
}

void PartitionManager::Forget(const std::string& topic) {
  topics_.erase(topic);
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
