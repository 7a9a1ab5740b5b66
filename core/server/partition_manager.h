// PartitionManager: the server's one owner of open partitions. Each
// topic-partition is opened once (write mode: the server appends, and reads
// with the same object) and kept open; other processes on the directory
// append, roll and truncate beside it, which Refresh picks up before a read.
//
// Opening a partition makes this server its leader under a new leader
// epoch (leader_epochs.h).
//
// It also creates topics on demand (auto.create.topics.enable) and forgets a
// topic's partitions when the topic is deleted or changed.
//
// Thread safety: the loop thread only.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "base/result.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "server/leader_epochs.h"

namespace kq::server {

class PartitionManager {
 public:
  explicit PartitionManager(log::LogDir* log_dir) : log_dir_(log_dir) {}
  ~PartitionManager();

  // The open partition, opening it on first use. NotFound when the topic or
  // the partition does not exist.
  Result<log::Partition*> Get(const std::string& topic, int32_t partition);
  // The topic's metadata (partition count, config), cached; reread when the
  // topic's metadata file changed (size, mtime or inode: another process
  // altered, deleted or recreated the topic), so each Produce costs a stat,
  // not a parse.
  Result<log::TopicInfo> Topic(const std::string& topic);

  // The partition if it is open already, else null (opens nothing).
  log::Partition* FindOpen(const std::string& topic, int32_t partition) const {
    auto it = partitions_.find({topic, partition});
    return it == partitions_.end() ? nullptr : it->second.get();
  }

  // Closes (without a final sync) and forgets every partition of `topic`.
  void Forget(const std::string& topic);
  // Syncs and closes everything (clean shutdown).
  Status CloseAll();

  // Every open partition, for background work and metrics.
  template <typename F>
  void ForEach(F&& f) {
    for (auto& [key, p] : partitions_) f(key.first, key.second, p.get());
  }

 private:
  struct CachedTopic {
    log::TopicInfo info;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    uint64_t inode = 0;
  };
  log::LogDir* log_dir_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<log::Partition>> partitions_;
  std::map<std::string, CachedTopic, std::less<>> topics_;
  LeaderEpochs epochs_;  // each partition led under a new epoch (promotion)
};

}  // namespace kq::server
