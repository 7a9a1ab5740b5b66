// KafkaSource: a leader read over the Kafka protocol (kq-serve or an Apache
// Kafka broker at kafka://HOST:PORT), through WireClient.
//
//   ListTopics         Metadata (every topic) + DescribeConfigs (the topics'
//                      overrides: configs whose source is the topic itself)
//   Offsets            ListOffsets earliest and latest, as `replica_id`: a
//                      replica (>= 0) is told the leader's log end, a plain
//                      consumer (-1) the high watermark
//   EndOffsetForEpoch  OffsetForLeaderEpoch
//   Fetch              one Fetch for every position, ReplicaId = replica_id,
//                      long-polling up to max_wait
//
// Fetched record sets are split into whole batches; each must pass
// ValidateBatch (framing, magic 2, CRC) or the partition's status is
// Corruption naming the topic, partition and offset. A partial batch at the
// end of a partition's data (Kafka cuts at partition_max_bytes) is dropped:
// the next fetch starts there. A partition whose data is only a partial
// batch larger than the limit is fetched again with room for that batch.
//
// A fetch answer carries no log end, so FetchedPartition::offsets.log_end is
// the larger of the high watermark and the end of the batches returned.
//
// Thread safety: one caller at a time.
#pragma once

#include <memory>
#include <string>

#include "replica/source.h"
#include "replica/wire_client.h"

namespace kq::replica {

struct KafkaSourceOptions {
  // Fetch's ReplicaId: >= 0 makes this reader a follower the leader tracks
  // (kq-serve counts it toward the in-sync replicas); -1 reads as a consumer.
  int32_t replica_id = -1;
  WireClientOptions wire;
};

class KafkaSource : public Source {
 public:
  KafkaSource(std::string host, uint16_t port, KafkaSourceOptions options = {});

  // "kafka://HOST:PORT" (or HOST:PORT). InvalidArgument for anything else.
  static Result<std::unique_ptr<KafkaSource>> Open(std::string_view url,
                                                   KafkaSourceOptions options = {});

  std::string Describe() const override { return "kafka://" + client_.Describe(); }
  Result<std::vector<SourceTopic>> ListTopics() override;
  Result<SourceOffsets> Offsets(const std::string& topic, PartitionId partition) override;
  Result<log::EpochEndOffset> EndOffsetForEpoch(const std::string& topic, PartitionId partition,
                                                Epoch epoch) override;
  Result<std::vector<FetchedPartition>> Fetch(std::span<const FetchPosition> positions,
                                              size_t max_bytes_per_partition,
                                              std::chrono::milliseconds max_wait) override;

  WireClient& client() { return client_; }

 private:
  Result<int64_t> ListOffset(const std::string& topic, PartitionId partition, int64_t timestamp);

  KafkaSourceOptions options_;
  WireClient client_;
};

}  // namespace kq::replica
