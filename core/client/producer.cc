#include "client/producer.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "base/run_concurrently.h"
#include "client/record_policy.h"
#include "log/topic_name.h"

namespace kq::client {
namespace {

// Bytes a record can add beyond what EncodedRecordSize says for a zero
// timestamp delta and offset delta: a varlong delta up to 10 bytes (1 counted)
// and a varint offset delta up to 5 bytes (1 counted).
constexpr size_t kRecordSizeSlack = 9 + 4;

size_t FieldSize(std::optional<std::string_view> bytes) { return bytes ? bytes->size() : 0; }

// An upper bound of the record's encoded size, without encoding varints (this
// runs for every record): each length or count varint takes at most 5 bytes,
// the timestamp delta at most 10, the attributes 1. Exact when that matters:
// a bound past max.message.bytes is checked again with the real size.
size_t RecordSizeBound(const ProducerRecord& r) {
  size_t bound = 1 + 10 + 5 + 5 + FieldSize(r.key) + 5 + FieldSize(r.value) + 5 + 5;
  for (const format::HeaderView& h : r.headers) bound += 5 + h.key.size() + 5 + FieldSize(h.value);
  return bound;
}

}  // namespace

struct LogProducer::PartitionState {
  explicit PartitionState(const format::RecordBatchBuilder::Options& o) : builder(o) {}

  format::RecordBatchBuilder builder;
  std::unique_ptr<log::Partition> log;  // opened on the first append
  // The pending batch holds keyless records placed by the sticky partitioner.
  bool sticky_records = false;
  // Appended to since the last sync.
  bool dirty = false;
  PartitionStats stats;
};

Result<std::unique_ptr<LogProducer>> LogProducer::Open(log::LogDir dir, std::string_view topic,
                                                       const ProducerOptions& options) {
  if (options.env == nullptr) return Status::InvalidArgument("producer: no Env given");
  if (options.batch_bytes == 0) return Status::InvalidArgument("producer: batch size must be > 0");
  KQ_RETURN_IF_ERROR(log::ValidateTopicName(topic));
  KQ_RETURN_IF_ERROR(format::CheckCompressionSupported(options.compression));
  bool created = false;
  Result<log::TopicInfo> info = dir.DescribeTopic(topic);
  if (!info.ok() && info.status().IsNotFound() && options.create_topic) {
    info = dir.EnsureTopic(topic, options.partitions, options.create_config);
    created = info.ok();
  }
  if (!info.ok()) return info.status();
  return std::unique_ptr<LogProducer>(
      new LogProducer(std::move(dir), std::move(*info), options, created));
}

LogProducer::LogProducer(log::LogDir dir, log::TopicInfo topic, const ProducerOptions& options,
                         bool created)
    : dir_(std::move(dir)),
      topic_(std::move(topic)),
      options_(options),
      flush_(options.flush.value_or(topic_.config.flush)),
      created_(created),
      partitioner_(options.partitioner, options.partitioner_seed) {
  batch_limit_ = std::min(options_.batch_bytes,
                          static_cast<size_t>(std::max(topic_.config.max_message_bytes, 0)));
  AddPartitionStates();
  last_interval_sync_ms_ = options_.env->NowMs();
}

LogProducer::~LogProducer() = default;

int32_t LogProducer::ChoosePartition(const ProducerRecord& record) {
  if (record.partition >= 0) return record.partition;
  const int32_t p = partitioner_.Partition(record.key, topic_.partitions);
  if (!record.key) partitions_[static_cast<size_t>(p)].sticky_records = true;
  return p;
}

Result<int32_t> LogProducer::Add(const ProducerRecord& record) {
  if (closed_) return Status::InvalidArgument("producer: Add after Close");
  if (record.partition >= topic_.partitions && created_ && options_.grow_created_topic) {
    KQ_RETURN_IF_ERROR(GrowCreatedTopic(record.partition + 1));
  }
  if (record.partition >= topic_.partitions) {
    return Status::InvalidArgument(fmt::format(
        "partition {} does not exist in topic '{}' ({} {})", record.partition, topic_.name,
        topic_.partitions, topic_.partitions == 1 ? "partition" : "partitions"));
  }
  KQ_RETURN_IF_ERROR(CheckRecordForTopic(topic_.name, topic_.config, record));
  const size_t record_size = RecordSizeBound(record);
  const auto max_message = static_cast<size_t>(std::max(topic_.config.max_message_bytes, 0));
  if (format::kBatchHeaderSize + record_size > max_message &&
      format::kBatchHeaderSize + kRecordSizeSlack +
              format::EncodedRecordSize(0, 0, record.key, record.value, record.headers) >
          max_message) {
    return Status::InvalidArgument(
        fmt::format("a record of {} bytes does not fit the max.message.bytes of topic '{}' ({})",
                    record_size, topic_.name, max_message));
  }
  const int32_t p = ChoosePartition(record);
  PartitionState& state = partitions_[static_cast<size_t>(p)];
  // Never let one batch pass max.message.bytes: append what is there first.
  if (!state.builder.empty() && state.builder.size_bytes() + record_size > max_message) {
    KQ_RETURN_IF_ERROR(AppendBatch(p));
  }
  const int64_t ts = record.timestamp >= 0 ? record.timestamp : options_.env->NowMs();
  state.builder.Add(ts, record.key, record.value, record.headers);
  ++pending_records_;
  if (state.builder.size_bytes() >= batch_limit_) KQ_RETURN_IF_ERROR(AppendBatch(p));
  return p;
}

void LogProducer::AddPartitionStates() {
  format::RecordBatchBuilder::Options builder_options;
  builder_options.compression = options_.compression;
  builder_options.compression_level = options_.compression_level;
  partitions_.reserve(static_cast<size_t>(topic_.partitions));
  for (auto p = static_cast<int32_t>(partitions_.size()); p < topic_.partitions; ++p) {
    partitions_.emplace_back(builder_options);
    partitions_.back().stats.partition = p;
  }
}

Status LogProducer::GrowCreatedTopic(int32_t partitions) {
  KQ_RETURN_IF_ERROR(dir_.AddPartitions(topic_.name, partitions));
  KQ_ASSIGN_OR_RETURN(topic_, dir_.DescribeTopic(topic_.name));
  AddPartitionStates();
  return Status::Ok();
}

Status LogProducer::OpenPartition(int32_t partition) {
  if (partition < 0 || partition >= topic_.partitions) {
    return Status::InvalidArgument(
        fmt::format("partition {} does not exist in topic '{}'", partition, topic_.name));
  }
  return PartitionLog(partition).status();
}

Result<log::Partition*> LogProducer::PartitionLog(int32_t partition) {
  PartitionState& state = partitions_[static_cast<size_t>(partition)];
  if (!state.log) {
    // The partition follows this producer's flush policy (--flush), which
    // may differ from the topic's: `os` syncs nothing, creation included.
    log::TopicInfo shaped = topic_;
    shaped.config.flush = flush_;
    KQ_ASSIGN_OR_RETURN(state.log,
                        dir_.OpenPartition(shaped, PartitionId(partition), log::OpenMode::kWrite));
  }
  return state.log.get();
}

Status LogProducer::WriteBatch(int32_t partition, WrittenBatch* written) {
  PartitionState& state = partitions_[static_cast<size_t>(partition)];
  written->records = static_cast<uint64_t>(state.builder.record_count());
  written->sticky = std::exchange(state.sticky_records, false);
  KQ_ASSIGN_OR_RETURN(std::string batch, state.builder.Finish());
  KQ_ASSIGN_OR_RETURN(log::Partition * log, PartitionLog(partition));
  KQ_ASSIGN_OR_RETURN(log::AppendResult appended, log->Append(batch));
  state.dirty = true;
  if (state.stats.records == 0) state.stats.first_offset = appended.first_offset.value();
  state.stats.last_offset = appended.last_offset.value();
  state.stats.records += written->records;
  state.stats.bytes += appended.bytes;
  written->bytes = appended.bytes;
  return Status::Ok();
}

void LogProducer::Account(const WrittenBatch& written) {
  pending_records_ -= written.records;
  appended_records_ += written.bytes > 0 ? written.records : 0;
  appended_bytes_ += written.bytes;
  // Kafka's sticky partitioner moves keyless records on once a batch of them
  // is complete, so batches fill instead of spreading thin.
  if (written.sticky) partitioner_.OnBatchComplete();
}

Status LogProducer::AppendBatch(int32_t partition) {
  if (partitions_[static_cast<size_t>(partition)].builder.empty()) return Status::Ok();
  WrittenBatch written;
  Status s = WriteBatch(partition, &written);
  Account(written);
  KQ_RETURN_IF_ERROR(s);
  return MaybeSyncForInterval();
}

Status LogProducer::AppendPending() {
  if (pending_records_ == 0) return Status::Ok();
  std::vector<int32_t> ready;
  for (int32_t p = 0; p < topic_.partitions; ++p) {
    if (!partitions_[static_cast<size_t>(p)].builder.empty()) ready.push_back(p);
  }
  // A partition's first append opens it, and creating a segment waits on the
  // disk; so many partitions are written at once, each by one thread.
  std::vector<WrittenBatch> written(ready.size());
  Status s = RunConcurrently(ready.size(), options_.sync_threads,
                             [&](size_t i) { return WriteBatch(ready[i], &written[i]); });
  for (const WrittenBatch& w : written) Account(w);
  KQ_RETURN_IF_ERROR(s);
  return MaybeSyncForInterval();
}

Status LogProducer::SyncPartition(PartitionState& state) {
  if (!state.dirty) return Status::Ok();
  KQ_RETURN_IF_ERROR(state.log->Sync());
  state.dirty = false;
  return Status::Ok();
}

Status LogProducer::SyncDirtyPartitions() {
  std::vector<PartitionState*> dirty;
  for (PartitionState& state : partitions_) {
    if (state.dirty) dirty.push_back(&state);
  }
  // Many partitions' syncs overlap instead of queueing one behind another.
  return RunConcurrently(dirty.size(), options_.sync_threads,
                         [&](size_t i) { return SyncPartition(*dirty[i]); });
}

Status LogProducer::MaybeSyncForInterval() {
  if (flush_.kind != log::FlushPolicy::Kind::kInterval) return Status::Ok();
  const int64_t now = options_.env->NowMs();
  if (now - last_interval_sync_ms_ < flush_.interval_ms) return Status::Ok();
  last_interval_sync_ms_ = now;
  return SyncDirtyPartitions();
}

Status LogProducer::Flush() {
  if (closed_) return Status::Ok();
  KQ_RETURN_IF_ERROR(AppendPending());
  switch (flush_.kind) {
    case log::FlushPolicy::Kind::kFsync:
      return SyncDirtyPartitions();
    case log::FlushPolicy::Kind::kInterval:
      return MaybeSyncForInterval();
    case log::FlushPolicy::Kind::kOs:
      return Status::Ok();
  }
  return Status::Ok();
}

Status LogProducer::Close() {
  if (closed_) return Status::Ok();
  Status status = Flush();
  closed_ = true;
  std::vector<PartitionState*> open;
  for (PartitionState& state : partitions_) {
    if (state.log) open.push_back(&state);
  }
  Status closed = RunConcurrently(open.size(), options_.sync_threads, [&](size_t i) {
    open[i]->dirty = false;
    // The flush policy os syncs nothing, not even on close.
    return open[i]->log->Close(flush_.kind == log::FlushPolicy::Kind::kOs
                                   ? log::Partition::CloseSync::kNoSync
                                   : log::Partition::CloseSync::kSync);
  });
  return status.ok() ? closed : status;
}

std::vector<PartitionStats> LogProducer::Stats() const {
  std::vector<PartitionStats> out;
  for (const PartitionState& state : partitions_) {
    if (state.stats.records > 0) out.push_back(state.stats);
  }
  return out;
}

}  // namespace kq::client
