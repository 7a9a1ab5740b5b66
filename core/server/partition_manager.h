// PartitionManager: the server's one owner of open partitions. Each
// topic-partition is opened once (write mode: the server appends, and reads
// with the same object) and kept open; other processes on the directory
// append, roll and truncate beside it, which Refresh picks up before a read.
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

namespace kq::server {

class PartitionManager {
 public:
  explicit PartitionManager(log::LogDir* log_dir) : log_dir_(log_dir) {}
  ~PartitionManager();

  // The open partition, opening it on first use. NotFound when the topic or
  // the partition does not exist.
  Result<log::Partition*> Get(const std::string& topic, int32_t partition);
  // The topic's metadata (partition count, config), cached; reread when the
  // topic's metadata file changed.
  Result<log::TopicInfo> Topic(const std::string& topic);

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
  log::LogDir* log_dir_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<log::Partition>> partitions_;
};

}  // namespace kq::server
