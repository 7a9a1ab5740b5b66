// Writing records to a Kafka-protocol cluster (kq-produce -b).
//
// librdkafka calls used and why:
//   rd_kafka_producev(RD_KAFKA_V_TOPIC, _PARTITION, _KEY, _VALUE,
//       _TIMESTAMP, _HEADERS, _MSGFLAGS(F_COPY), _OPAQUE)
//       one call per record; V_HEADERS carries a header list built with
//       rd_kafka_header_add, which keeps order, duplicate names and null
//       values (the -J envelope's promise). A null pointer key/value is a
//       null key/value; a zero-length non-null one is empty.
//   partitioner=murmur2_random (a topic property) by default: the Java
//       client's partitioner, which kq's directory mode also uses, so a keyed
//       record lands on the same partition in both modes.
//   dr_msg_cb                       counts deliveries, records the first
//       failure and each partition's first/last offset for --report.
//   rd_kafka_poll on QUEUE_FULL     back-pressure: serve delivery reports
//       until there is room instead of failing a fast pipe.
//   rd_kafka_flush at the end       exit 0 only once every record is acked.
//   rd_kafka_CreateTopics           creates a missing topic with
//       --partitions N (unless --no-create), before the first record, so
//       nothing is written to a wrongly shaped topic.
//
// Thread safety: ProduceAll runs on the caller's thread; the RecordSource is
// only called from it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "kafka/client.h"

namespace kq::kafka {

struct ProduceRecord {
  std::optional<int32_t> partition;  // nullopt: the partitioner chooses
  std::optional<std::string> key;    // nullopt: null key
  std::optional<std::string> value;  // nullopt: null value (a tombstone)
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;  // order kept
  std::optional<int64_t> timestamp_ms;  // nullopt: now (CreateTime)
};

// Pulls the next record. Returns true and fills *record, false at the end of
// input, or an error (e.g. a malformed -J line), which stops producing: the
// records pulled before it are still flushed, nothing after it is sent.
// *record is reused between calls; the callee overwrites every field.
using RecordSource = std::function<Result<bool>(ProduceRecord* record)>;

struct ProduceOptions {
  // librdkafka partitioner name: murmur2_random (default, Java-compatible),
  // murmur2, consistent_random, consistent, random, fnv1a, fnv1a_random.
  std::string partitioner = "murmur2_random";
  std::string compression = "none";  // -z: none, zstd, gzip, lz4, snappy
  int linger_ms = 5;                 // --linger-ms
  // A missing topic: created with this many partitions when set, refused
  // with NotFound when nullopt (--no-create).
  std::optional<int32_t> create_partitions = 1;
  // Called after each record is handed to librdkafka (for -T); may be empty.
  std::function<Status(const ProduceRecord&)> on_sent;
};

struct PartitionRange {
  int64_t first_offset = -1;  // lowest offset written by this run
  int64_t last_offset = -1;   // highest offset written by this run
  uint64_t records = 0;
  uint64_t bytes = 0;  // key + value bytes
};

struct ProduceReport {
  uint64_t records = 0;  // delivered and acknowledged
  uint64_t bytes = 0;    // key + value bytes of those records
  std::map<int32_t, PartitionRange> partitions;
  bool created_topic = false;  // the topic was missing and this run created it
};

// The push-style form of ProduceAll, for callers that read input themselves
// (kq-produce's ProduceLoop): Open, Send each record, Flush when lingering,
// Finish once. Same configuration, delivery accounting and errors as
// ProduceAll. Not copyable; one thread at a time.
class ClusterProducer {
 public:
  // Connects (failing within config.timeout_ms when unreachable) and makes
  // sure the topic exists, creating it per options.create_partitions.
  static Result<std::unique_ptr<ClusterProducer>> Open(const ClusterConfig& config,
                                                       const ProduceOptions& options,
                                                       std::string_view topic);
  ~ClusterProducer();
  ClusterProducer(const ClusterProducer&) = delete;
  ClusterProducer& operator=(const ClusterProducer&) = delete;

  const std::string& topic() const;
  int32_t partition_count() const { return partition_count_; }
  // Hands one record to librdkafka (copied). Returns the first delivery
  // failure seen so far, so a caller stops early.
  Status Send(const ProduceRecord& record);
  // Serves delivery reports without waiting.
  Status Poll();
  // Waits until every record sent so far is acknowledged or failed.
  Status Flush();
  // Flush, then the report of what was delivered. Call once, last.
  Status Finish(ProduceReport* report);
  uint64_t sent() const { return sent_; }
  const ProduceReport& report() const;

 private:
  struct State;
  ClusterProducer() = default;
  // state_ outlives client_: librdkafka may report deliveries on destroy.
  std::unique_ptr<State> state_;
  std::unique_ptr<Client> client_;
  int32_t partition_count_ = 0;
  uint64_t sent_ = 0;
};

// Sends every record `next` yields to `topic`, then flushes. Returns OK only
// if every record was acknowledged by the cluster. The first failed delivery
// gives an error naming its topic-partition and librdkafka's reason (e.g.
// "produce to orders-7: Broker: Unknown topic or partition"); records after
// it may or may not have been written (Kafka has no rollback), and
// `report` says what was. An unreachable cluster fails within
// config.timeout_ms before any record is pulled. `report` may be null.
Status ProduceAll(const ClusterConfig& config, const ProduceOptions& options,
                  std::string_view topic, const RecordSource& next, ProduceReport* report);

}  // namespace kq::kafka
