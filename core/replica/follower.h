// Follower: the destination side of replication, shared by the sync engine
// (sync.h, pulling from a Source) and the stream receiver (stream_receiver.h,
// applying frames pushed to it). It owns DEST's open partitions and applies
// the sync rules described in sync.h: topics and configs, the divergence
// rule, the log-start rule, and verified verbatim appends.
//
// Thread safety: one thread; other processes must not write to the
// follower's replicated topics.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "replica/divergence.h"
#include "replica/source.h"
#include "replica/sync.h"

namespace kq::replica {

class Follower {
 public:
  // `summary` must outlive the follower; counts go to *summary.
  Follower(const log::LogDir& dest, SyncSummary* summary) : dest_(dest), summary_(summary) {}
  ~Follower();

  // Creates the topic as the source has it, or brings an existing one in
  // line: missing partitions added, config overrides set to the source's
  // (and overrides the source does not have reset).
  Status EnsureTopic(const SourceTopic& topic);

  // The partition, opened for writing on first use. REQUIRES: EnsureTopic.
  Result<log::Partition*> Open(const std::string& topic, PartitionId partition);

  // The divergence and log-start rules against a leader whose log is
  // `leader` and whose epochs `ask` answers.
  Status Reconcile(const std::string& topic, PartitionId partition, const SourceOffsets& leader,
                   const AskEpochEnd& ask);

  // When the leader's end fell below the follower's without any epoch to
  // tell where they part (a fetch answered out of range): truncates to it.
  Status TruncateToLeaderEnd(const std::string& topic, PartitionId partition, Offset leader_end);

  // Checks each batch's framing and CRC (Corruption naming `source`, the
  // partition, the batch's offset and byte position in the fetch; nothing is
  // appended then), drops batches the follower already holds, and appends
  // the rest verbatim. A batch straddling the follower's end is Conflict.
  Status Append(const std::string& topic, PartitionId partition,
                std::span<const std::string> batches, std::string_view source);

  // Makes every appended batch durable (fdatasync), for one partition or all.
  Status SyncPartition(const std::string& topic, PartitionId partition);
  Status SyncAll();
  // SyncAll, then closes every partition this follower changed with its
  // recovery point written, so the next open validates nothing (without it,
  // the next open of a large follower would check every batch again);
  // partitions left as they were are closed without a sync, which would cost
  // an fdatasync and a checkpoint rewrite each. The follower is empty after.
  Status Close();

 private:
  struct Entry {
    log::TopicInfo topic;
    std::unique_ptr<log::Partition> log;
    bool compacted = false;  // the source may skip offsets
    bool dirty = false;      // appended since the last sync
    bool changed = false;    // appended, truncated or restarted since it was opened
  };
  Result<Entry*> Find(const std::string& topic, PartitionId partition);

  log::LogDir dest_;  // a handle: copies share the directory
  SyncSummary* summary_;
  std::map<std::string, log::TopicInfo> topics_;
  std::map<std::pair<std::string, int32_t>, Entry> partitions_;
};

}  // namespace kq::replica
