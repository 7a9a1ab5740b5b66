// A replication source: where kq-replicate reads a leader's partitions from.
// Implementations: a log directory (dir_source.*), a Kafka server read with
// Fetch and OffsetForLeaderEpoch over the wire protocol (kafka_source.*). The
// sync engine (sync.*) drives any of them the same way: list the topics, find
// the last offset it shares with the follower (KIP-101, EndOffsetForEpoch),
// then fetch whole batches verbatim from the follower's end.
//
// Thread safety: one caller at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "base/strong_types.h"
#include "log/leader_epoch_checkpoint.h"

namespace kq::replica {

struct SourceTopic {
  std::string name;
  int32_t partitions = 0;
  // The topic's config overrides (Kafka's names, e.g. cleanup.policy),
  // replicated to the follower with the topic.
  std::map<std::string, std::string> configs;
};

// Where a source partition stands. The follower copies up to log_end: a
// directory's end, or for a server the leader's log end offset as answered to
// a replica fetch (a fetch without a replica id only sees the high watermark).
struct SourceOffsets {
  Offset log_start{0};
  Offset log_end{0};
};

struct FetchPosition {
  std::string topic;
  PartitionId partition{0};
  Offset from{0};  // the follower's log end: the next offset it needs
};

struct FetchedPartition {
  // Ok, or OutOfRange when `from` is below the source's log start or past its
  // end (offsets then says where the source stands), or another error for
  // this partition alone (NotFound for a topic or partition that is gone).
  Status status;
  SourceOffsets offsets;
  // Whole RecordBatch v2 batches, byte for byte as the source stores them, in
  // ascending offsets; the first holds `from` or is the first after it (a
  // compacted source may have removed whole batches). Each has passed
  // ValidateBatch (framing and CRC) before it is returned. Empty: nothing new.
  std::vector<std::string> batches;
};

class Source {
 public:
  virtual ~Source() = default;

  // For messages: the directory path, or kafka://HOST:PORT.
  virtual std::string Describe() const = 0;

  // Every topic with its partition count and config overrides. Internal
  // topics (__consumer_offsets) are listed too; the caller filters.
  virtual Result<std::vector<SourceTopic>> ListTopics() = 0;

  virtual Result<SourceOffsets> Offsets(const std::string& topic, PartitionId partition) = 0;

  // Kafka's OffsetForLeaderEpoch: the largest epoch the source knows that is
  // <= `epoch`, and the offset where it ends (the start of the next epoch, or
  // the log end for the latest). {kNoEpoch, -1} when it cannot answer.
  virtual Result<log::EpochEndOffset> EndOffsetForEpoch(const std::string& topic,
                                                        PartitionId partition, Epoch epoch) = 0;

  // Reads from each position, about max_bytes_per_partition each (at least
  // one whole batch when there is one). When no partition has anything new,
  // waits up to max_wait for one to grow (0: returns at once). One entry per
  // position, in the same order.
  virtual Result<std::vector<FetchedPartition>> Fetch(std::span<const FetchPosition> positions,
                                                      size_t max_bytes_per_partition,
                                                      std::chrono::milliseconds max_wait) = 0;
};

}  // namespace kq::replica
