#include "groups/offsets_store.h"

#include <set>

#include <fmt/format.h>

#include "format/record.h"
#include "format/record_batch.h"
#include "format/record_batch_builder.h"
#include "groups/offset_commit_codec.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "log/topic_name.h"

namespace kq::groups {
namespace {

// Commits larger than this are split into several batches of one Append.
constexpr size_t kMaxCommitBatchBytes = 256 * 1024;
constexpr size_t kReplayReadBytes = 1 << 20;
constexpr int32_t kOffsetsSegmentBytes = 100 * 1024 * 1024;  // offsets.topic.segment.bytes

using GroupOffsets = std::map<TopicPartition, CommittedOffset>;

// What one __consumer_offsets partition holds, replayed up to `next`.
struct PartitionState {
  std::unique_ptr<log::Partition> reader;
  std::unique_ptr<log::Partition> writer;
  Offset next{0};
  std::map<std::string, GroupOffsets, std::less<>> groups;
};

class OffsetsStoreImpl final : public OffsetsStore {
 public:
  OffsetsStoreImpl(io::Env* env, log::LogDir dir) : env_(env), dir_(std::move(dir)) {}

  Status Commit(std::string_view group,
                const std::vector<std::pair<TopicPartition, CommittedOffset>>& offsets) override;
  Result<GroupOffsets> Fetch(std::string_view group) override;
  Result<std::vector<std::string>> ListGroups() override;
  Status Delete(std::string_view group, const std::vector<TopicPartition>& which) override;
  uint64_t skipped_records() const override { return skipped_; }

 private:
  // Learns the topic's partition count when the topic exists (or create).
  Status LoadTopic(bool create);
  Status Replay(int32_t p);
  Status ApplyBatch(std::string_view batch, PartitionState& state);
  void ApplyRecord(const format::RecordView& r, PartitionState& state);
  // Appends (key, value-or-tombstone) records for `group` and syncs.
  Status Write(std::string_view group,
               const std::vector<std::pair<std::string, std::optional<std::string>>>& records);

  io::Env* env_;
  log::LogDir dir_;
  std::optional<log::TopicInfo> topic_;  // unset until the topic exists
  std::vector<PartitionState> parts_;
  uint64_t skipped_ = 0;
  std::string scratch_;
};

Status OffsetsStoreImpl::LoadTopic(bool create) {
  if (topic_) return Status::Ok();
  Result<log::TopicInfo> info = dir_.DescribeTopic(kOffsetsTopic);
  if (!info.ok() && info.status().IsNotFound() && create) {
    log::TopicConfig config;
    KQ_RETURN_IF_ERROR(config.Set("cleanup.policy", "compact"));
    KQ_RETURN_IF_ERROR(config.Set("segment.bytes", std::to_string(kOffsetsSegmentBytes)));
    info = dir_.EnsureTopic(kOffsetsTopic, kDefaultOffsetsPartitions, config);
  }
  if (!info.ok()) return info.status().IsNotFound() && !create ? Status::Ok() : info.status();
  topic_ = std::move(*info);
  parts_.resize(static_cast<size_t>(topic_->partitions));
  return Status::Ok();
}

Status OffsetsStoreImpl::Replay(int32_t p) {
  PartitionState& state = parts_[static_cast<size_t>(p)];
  if (!state.reader) {
    KQ_ASSIGN_OR_RETURN(state.reader,
                        dir_.OpenPartition(*topic_, PartitionId(p), log::OpenMode::kRead));
  } else {
    KQ_RETURN_IF_ERROR(state.reader->Refresh());
  }
  log::Partition& reader = *state.reader;
  // Truncated below what we replayed, or compacted/trimmed past it: what we
  // cached may be stale, so start over.
  if (reader.log_end_offset() < state.next || reader.log_start_offset() > state.next) {
    state.groups.clear();
    state.next = reader.log_start_offset();
  }
  while (state.next < reader.log_end_offset()) {
    KQ_ASSIGN_OR_RETURN(log::ReadChunk chunk, reader.Read(state.next, kReplayReadBytes));
    if (chunk.bytes.empty()) break;
    std::string_view rest = chunk.bytes;
    while (!rest.empty()) {
      const format::FrameProbe probe = format::ProbeFrame(rest);
      if (probe.state != format::FrameState::kComplete) {
        return Status::Corruption(
            fmt::format("{}: unreadable batch while replaying at offset {}: {}", reader.Name(),
                        state.next.value(), probe.problem));
      }
      KQ_RETURN_IF_ERROR(ApplyBatch(rest.substr(0, probe.size), state));
      rest.remove_prefix(probe.size);
    }
    if (chunk.next_offset <= state.next) break;  // no progress: never spin
    state.next = chunk.next_offset;
  }
  return Status::Ok();
}

Status OffsetsStoreImpl::ApplyBatch(std::string_view batch, PartitionState& state) {
  KQ_ASSIGN_OR_RETURN(format::BatchHeader header, format::DecodeBatchHeader(batch));
  if (header.next_offset() <= state.next.value() || header.is_control()) return Status::Ok();
  const int64_t from = state.next.value();
  return format::ForEachRecord(batch, &scratch_, [&](const format::RecordView& r) {
    if (r.offset >= from) ApplyRecord(r, state);
    return Status::Ok();
  });
}

void OffsetsStoreImpl::ApplyRecord(const format::RecordView& r, PartitionState& state) {
  if (!r.key) {
    ++skipped_;
    return;
  }
  Result<OffsetsKey> key = DecodeOffsetsKey(*r.key);
  if (!key.ok()) {
    ++skipped_;
    return;
  }
  if (key->kind != OffsetsKeyKind::kOffsetCommit) return;  // group metadata, newer types
  if (!r.value) {
    auto it = state.groups.find(key->group);
    if (it == state.groups.end()) return;
    it->second.erase(key->tp);
    if (it->second.empty()) state.groups.erase(it);
    return;
  }
  Result<CommittedOffset> value = DecodeOffsetCommitValue(*r.value);
  if (!value.ok()) {
    ++skipped_;
    return;
  }
  state.groups[key->group][key->tp] = std::move(*value);
}

Status OffsetsStoreImpl::Write(
    std::string_view group,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records) {
  if (records.empty()) return Status::Ok();
  KQ_RETURN_IF_ERROR(LoadTopic(/*create=*/true));
  const int32_t p = PartitionForGroup(group, topic_->partitions);
  PartitionState& state = parts_[static_cast<size_t>(p)];
  if (!state.writer) {
    KQ_ASSIGN_OR_RETURN(state.writer,
                        dir_.OpenPartition(*topic_, PartitionId(p), log::OpenMode::kWrite));
  }
  const int64_t now = env_->NowMs();
  std::vector<std::string> batches;
  format::RecordBatchBuilder builder;
  for (const auto& [key, value] : records) {
    if (builder.size_bytes() > kMaxCommitBatchBytes) {
      KQ_ASSIGN_OR_RETURN(std::string batch, builder.Finish());
      batches.push_back(std::move(batch));
    }
    builder.Add(now, key, value ? std::optional<std::string_view>(*value) : std::nullopt);
  }
  KQ_ASSIGN_OR_RETURN(std::string last, builder.Finish());
  batches.push_back(std::move(last));
  Result<log::AppendResult> appended = state.writer->Append(batches);
  if (!appended.ok()) {
    return appended.status().WithPrefix(
        fmt::format("committing offsets of group '{}'", log::EscapeForMessage(group)));
  }
  return state.writer->Sync();
}

Status OffsetsStoreImpl::Commit(
    std::string_view group,
    const std::vector<std::pair<TopicPartition, CommittedOffset>>& offsets) {
  KQ_RETURN_IF_ERROR(ValidateGroupName(group));
  const int64_t now = env_->NowMs();
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  records.reserve(offsets.size());
  for (const auto& [tp, committed] : offsets) {
    KQ_RETURN_IF_ERROR(log::ValidateTopicName(tp.topic));
    // A negative offset is kept as given (Kafka stores any value): it means
    // "no position", and readers apply their reset policy (GroupSession).
    if (tp.partition < 0) {
      return Status::InvalidArgument(
          fmt::format("cannot commit for {}-{}: negative partition", tp.topic, tp.partition));
    }
    if (committed.metadata.size() > 32767) {
      return Status::InvalidArgument(
          fmt::format("commit metadata for {}-{} is {} bytes; the maximum is 32767", tp.topic,
                      tp.partition, committed.metadata.size()));
    }
    CommittedOffset value = committed;
    if (value.commit_timestamp_ms == 0) value.commit_timestamp_ms = now;
    records.emplace_back(EncodeOffsetCommitKey(group, tp), EncodeOffsetCommitValue(value));
  }
  return Write(group, records);
}

Result<GroupOffsets> OffsetsStoreImpl::Fetch(std::string_view group) {
  KQ_RETURN_IF_ERROR(ValidateGroupName(group));
  KQ_RETURN_IF_ERROR(LoadTopic(/*create=*/false));
  if (!topic_) return GroupOffsets{};
  const int32_t p = PartitionForGroup(group, topic_->partitions);
  KQ_RETURN_IF_ERROR(Replay(p));
  const auto& groups = parts_[static_cast<size_t>(p)].groups;
  auto it = groups.find(group);
  return it == groups.end() ? GroupOffsets{} : it->second;
}

Result<std::vector<std::string>> OffsetsStoreImpl::ListGroups() {
  KQ_RETURN_IF_ERROR(LoadTopic(/*create=*/false));
  std::set<std::string> names;
  for (int32_t p = 0; topic_ && p < topic_->partitions; ++p) {
    KQ_RETURN_IF_ERROR(Replay(p));
    for (const auto& [name, offsets] : parts_[static_cast<size_t>(p)].groups) names.insert(name);
  }
  return std::vector<std::string>(names.begin(), names.end());
}

Status OffsetsStoreImpl::Delete(std::string_view group, const std::vector<TopicPartition>& which) {
  KQ_ASSIGN_OR_RETURN(GroupOffsets current, Fetch(group));
  std::vector<std::pair<std::string, std::optional<std::string>>> records;
  if (which.empty()) {
    for (const auto& [tp, value] : current)
      records.emplace_back(EncodeOffsetCommitKey(group, tp), std::nullopt);
  } else {
    for (const TopicPartition& tp : which) {
      KQ_RETURN_IF_ERROR(log::ValidateTopicName(tp.topic));
      records.emplace_back(EncodeOffsetCommitKey(group, tp), std::nullopt);
    }
  }
  return Write(group, records);
}

}  // namespace

Result<std::unique_ptr<OffsetsStore>> OffsetsStore::Open(io::Env* env, const std::string& log_dir) {
  KQ_ASSIGN_OR_RETURN(log::LogDir dir,
                      log::LogDir::Open(env, log_dir, /*create_if_missing=*/false));
  return std::unique_ptr<OffsetsStore>(new OffsetsStoreImpl(env, std::move(dir)));
}

}  // namespace kq::groups
