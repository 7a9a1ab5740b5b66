// LogProducer: writes records to one topic of a log directory, the way a
// Kafka producer does, for kq-produce (and later kq-serve and kq-replicate).
//
//   KQ_ASSIGN_OR_RETURN(auto producer, LogProducer::Open(dir, "logs", {.env = env}));
//   KQ_RETURN_IF_ERROR(producer->Add({.key = "user1", .value = "hello"}).status());
//   ...
//   KQ_RETURN_IF_ERROR(producer->Close());   // every record is now acknowledged
//
// Records collect in one RecordBatchBuilder per partition. A partition's batch
// is appended to its log::Partition when it reaches batch_bytes (or would pass
// the topic's max.message.bytes), and every pending batch when the caller asks
// (AppendPending: a linger expired; Flush: an acknowledgement point).
// Partitions are opened for writing lazily, on their first append, one
// log::Partition object each for the producer's lifetime.
//
// Partition choice: an explicit partition wins; otherwise log::Partitioner
// (murmur2_random by default, so keyed records land where the Java client
// puts them and keyless records stick to one partition until a batch of them
// is appended, then move on).
//
// Durability (the flush policy: the topic's `flush` config unless overridden):
//   fsync     Flush() syncs every partition appended to since its last sync,
//             once per partition however many batches went in (grouped),
//             up to sync_threads partitions at once.
//   interval  a partition is synced when interval_ms passed since the last
//             sync (checked at each append and Flush); Flush() alone does not
//             wait for the disk.
//   os        nothing is synced, not even by Close(): the kernel writes the
//             page cache back when it will, as with Kafka's default.
// Under fsync and interval, Close() ends with log::Partition::Close, which
// syncs once and writes the recovery point, as Kafka does on a clean
// shutdown; so after Close() returns OK every record ever Added is durable.
//
// Errors: Add refuses a record (nothing buffered) with InvalidArgument when its
// partition is out of range or it alone would exceed max.message.bytes. An I/O
// error while appending leaves the records of that batch unwritten and is
// returned by the call that appended; the producer should then be dropped.
//
// Thread safety: one thread at a time. Several producers (threads or
// processes) may write the same topic at once: each append takes the
// partition's lock (log/partition.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/status.h"
#include "format/compression.h"
#include "format/record.h"
#include "format/record_batch_builder.h"
#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "log/partitioner.h"
#include "log/topic_config.h"

namespace kq::client {

inline constexpr size_t kDefaultBatchBytes = size_t{256} << 10;

struct ProducerOptions {
  io::Env* env = nullptr;  // required; must outlive the producer
  // A missing topic is created with `partitions` partitions and
  // `create_config`; with create_topic = false it is NotFound instead.
  bool create_topic = true;
  int32_t partitions = 1;
  // When this producer created the topic, a record naming a partition past
  // its count adds partitions up to it instead of being refused: input that
  // says where each record goes (kq-consume -J of a topic of many
  // partitions) makes a topic of as many. A topic that existed never grows.
  bool grow_created_topic = false;
  log::TopicConfig create_config;
  log::Partitioner::Kind partitioner = log::Partitioner::kDefaultKind;
  std::optional<uint64_t> partitioner_seed;  // reproducible sticky choices (tests)
  // A partition's batch is appended once its (uncompressed) size reaches this.
  size_t batch_bytes = kDefaultBatchBytes;
  format::Compression compression = format::Compression::kNone;
  int compression_level = format::kDefaultZstdLevel;
  // Overrides the topic's `flush` config when set.
  std::optional<log::FlushPolicy> flush;
  // How many partitions are written, synced and closed at once: their fdatasyncs
  // overlap, so a flush of many partitions costs about one sync's wait.
  size_t sync_threads = 16;
};

// One record to write. The views need only live for the Add call.
struct ProducerRecord {
  std::optional<std::string_view> key;    // nullopt: null key
  std::optional<std::string_view> value;  // nullopt: null value (a tombstone)
  std::span<const format::HeaderView> headers;
  int64_t timestamp = -1;  // epoch ms (CreateTime); negative: now
  int32_t partition = -1;  // negative: chosen by the partitioner
};

// What the producer appended to one partition (for --report).
struct PartitionStats {
  int32_t partition = 0;
  int64_t first_offset = -1;  // -1 until something was appended
  int64_t last_offset = -1;
  uint64_t records = 0;
  uint64_t bytes = 0;  // batch bytes on disk
};

class LogProducer {
 public:
  // Finds (or creates, see ProducerOptions) `topic` in `dir`. Errors:
  // InvalidArgument for a bad topic name or options, NotFound for a missing
  // topic that may not be created, I/O errors creating it.
  static Result<std::unique_ptr<LogProducer>> Open(log::LogDir dir, std::string_view topic,
                                                   const ProducerOptions& options);
  // Drops records not yet appended; does not sync. Call Close() first.
  ~LogProducer();

  LogProducer(const LogProducer&) = delete;
  LogProducer& operator=(const LogProducer&) = delete;

  const std::string& topic() const { return topic_.name; }
  int32_t partition_count() const { return topic_.partitions; }
  const log::TopicConfig& topic_config() const { return topic_.config; }
  const log::FlushPolicy& flush_policy() const { return flush_; }
  // True when Open created the topic.
  bool created_topic() const { return created_; }

  // Opens `partition` for writing now rather than on its first append, so a
  // directory that cannot be written is reported before any input is read.
  // InvalidArgument when out of range; I/O errors naming the partition.
  Status OpenPartition(int32_t partition);

  // Buffers one record (the bytes are copied) and returns its partition. May
  // append that partition's batch (page cache only: not yet acknowledged).
  // InvalidArgument, nothing buffered, for a record the topic's config
  // refuses (record_policy.h: no key for a compacted topic).
  Result<int32_t> Add(const ProducerRecord& record);

  // Appends every pending batch (page cache), in partition order.
  Status AppendPending();
  // AppendPending, then syncs as the flush policy says (see the top).
  Status Flush();
  // Flush, then closes every partition (sync + recovery point). After OK,
  // every record Added is durable; the producer accepts nothing more.
  Status Close();

  // Records buffered but not yet appended.
  uint64_t pending_records() const { return pending_records_; }
  // Records appended so far (all partitions).
  uint64_t appended_records() const { return appended_records_; }
  uint64_t appended_bytes() const { return appended_bytes_; }
  // Partitions appended to, ascending.
  std::vector<PartitionStats> Stats() const;

 private:
  struct PartitionState;

  LogProducer(log::LogDir dir, log::TopicInfo topic, const ProducerOptions& options, bool created);

  int32_t ChoosePartition(const ProducerRecord& record);
  // One PartitionState for each partition of topic_ that has none yet.
  void AddPartitionStates();
  Status GrowCreatedTopic(int32_t partitions);
  // What appending one partition's pending batch did. WriteBatch touches
  // only that partition's state (so partitions can be written at once);
  // Account then adds it to the producer's counts, on one thread.
  struct WrittenBatch {
    uint64_t records = 0;  // taken out of the builder, written or not
    uint64_t bytes = 0;    // 0 when the append failed
    bool sticky = false;   // placed by the sticky partitioner
  };
  Status WriteBatch(int32_t partition, WrittenBatch* written);
  void Account(const WrittenBatch& written);
  Status AppendBatch(int32_t partition);
  Result<log::Partition*> PartitionLog(int32_t partition);
  Status SyncPartition(PartitionState& state);
  Status SyncDirtyPartitions();
  Status MaybeSyncForInterval();

  log::LogDir dir_;
  log::TopicInfo topic_;
  ProducerOptions options_;
  log::FlushPolicy flush_;
  bool created_ = false;
  bool closed_ = false;
  // The batch threshold: batch_bytes, capped by max.message.bytes.
  size_t batch_limit_ = kDefaultBatchBytes;
  log::Partitioner partitioner_;
  std::vector<PartitionState> partitions_;  // one per partition of the topic
  uint64_t pending_records_ = 0;
  uint64_t appended_records_ = 0;
  uint64_t appended_bytes_ = 0;
  int64_t last_interval_sync_ms_ = 0;
};

}  // namespace kq::client
