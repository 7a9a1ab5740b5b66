// DirSource: a replication Source over a kq log directory (the leader is a
// directory on this machine, or one mounted from another). Partitions are
// opened read-only and take no lock, as every reader (DESIGN.md, "Concurrency
// between processes"); a batch still being written is not there yet.
//
// EndOffsetForEpoch answers from the partition's leader-epoch-checkpoint
// (leader_epoch::EndOffsetFor), the way a broker answers OffsetForLeaderEpoch.
// Fetch reads with CRC verification on (a bad batch is Corruption naming the
// segment file, byte position and offset) and, with a max wait, sleeps on a
// FollowWatcher (inotify, with a poll fallback) until a partition grows.
//
// Ownership: the Env must outlive the source. Thread safety: one caller at a
// time (Source's contract).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "io/env.h"
#include "log/follow_watcher.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "replica/source.h"

namespace kq::replica {

class DirSource : public Source {
 public:
  // NotFound when `path` is not a kq log directory (it is never created).
  static Result<std::unique_ptr<DirSource>> Open(io::Env* env, const std::string& path);

  std::string Describe() const override { return dir_.path(); }
  Result<std::vector<SourceTopic>> ListTopics() override;
  Result<SourceOffsets> Offsets(const std::string& topic, PartitionId partition) override;
  Result<log::EpochEndOffset> EndOffsetForEpoch(const std::string& topic, PartitionId partition,
                                                Epoch epoch) override;
  Result<std::vector<FetchedPartition>> Fetch(std::span<const FetchPosition> positions,
                                              size_t max_bytes_per_partition,
                                              std::chrono::milliseconds max_wait) override;

  // Leader epochs of a partition, as in its leader-epoch-checkpoint, without
  // the entries a crash may have left past the log end (the stream sender
  // ships them so the receiver can apply the divergence rule).
  Result<std::vector<log::EpochEntry>> Epochs(const std::string& topic, PartitionId partition);

 private:
  explicit DirSource(log::LogDir dir) : dir_(std::move(dir)) {}

  // The partition, opened once and refreshed on every call.
  Result<log::Partition*> Refreshed(const std::string& topic, PartitionId partition);
  // One read pass over every position; *any_data when some batch was read.
  void ReadAll(std::span<const FetchPosition> positions, size_t max_bytes,
               std::vector<FetchedPartition>* out, bool* any_data);
  Status WaitForChange(std::span<const FetchPosition> positions, std::chrono::milliseconds wait);

  log::LogDir dir_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<log::Partition>> partitions_;
  std::unique_ptr<log::FollowWatcher> watcher_;  // created on the first wait
};

}  // namespace kq::replica
