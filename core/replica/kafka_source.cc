#include "replica/kafka_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "format/record_batch.h"
#include "protocol/error_codes.h"
#include "replica/batch_split.h"
#include "protocol/messages/describe_configs.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/list_offsets.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/offset_for_leader_epoch.h"

namespace kq::replica {
namespace {

using protocol::ErrorCode;

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;
constexpr int8_t kTopicResource = 2;
constexpr int8_t kTopicConfigSource = 1;  // DYNAMIC_TOPIC_CONFIG

// A partition-level error code as a Status: NotFound for a topic or
// partition that is gone, OutOfRange for an offset outside the log, IoError
// (retryable by the caller) otherwise.
Status ErrorStatus(int16_t code, std::string_view where) {
  std::string message = fmt::format("{}: {}", where, protocol::ErrorCodeName(code));
  switch (static_cast<ErrorCode>(code)) {
    case ErrorCode::kUnknownTopicOrPartition:
      return Status::NotFound(message);
    case ErrorCode::kOffsetOutOfRange:
      return Status::OutOfRange(message);
    default:
      return Status::IoError(message);
  }
}

std::string Where(const std::string& topic, int32_t partition) {
  return fmt::format("{}-{}", topic, partition);
}

}  // namespace

KafkaSource::KafkaSource(std::string host, uint16_t port, KafkaSourceOptions options)
    : options_(options), client_(std::move(host), port, options.wire) {}

Result<std::unique_ptr<KafkaSource>> KafkaSource::Open(std::string_view url,
                                                       KafkaSourceOptions options) {
  std::string_view rest = url;
  if (rest.starts_with("kafka://")) rest.remove_prefix(8);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  KQ_ASSIGN_OR_RETURN(auto host_port, ParseHostPort(rest));
  return std::make_unique<KafkaSource>(std::move(host_port.first), host_port.second,
                                       std::move(options));
}

Result<std::vector<SourceTopic>> KafkaSource::ListTopics() {
  KQ_ASSIGN_OR_RETURN(int16_t version, client_.Version(protocol::ApiKey::kMetadata, 1, 12));
  protocol::MetadataRequest request;
  request.topics = std::nullopt;  // every topic
  request.allow_auto_topic_creation = false;
  protocol::MetadataResponse response;
  KQ_RETURN_IF_ERROR(client_.Call(request, version, &response));
  std::vector<SourceTopic> topics;
  for (const auto& t : response.topics) {
    if (!t.name || t.name->empty())
      return Status::Corruption(
          fmt::format("{}: Metadata lists a topic without a name", Describe()));
    if (t.error_code != 0)
      return ErrorStatus(t.error_code, fmt::format("{}: topic '{}'", Describe(), *t.name));
    SourceTopic topic;
    topic.name = *t.name;
    // Partitions must be 0..n-1, each once.
    std::vector<bool> seen(t.partitions.size(), false);
    for (const auto& p : t.partitions) {
      if (p.partition_index < 0 || static_cast<size_t>(p.partition_index) >= seen.size() ||
          seen[p.partition_index])
        return Status::Corruption(fmt::format("{}: Metadata for '{}' lists partition {} of {}",
                                              Describe(), topic.name, p.partition_index,
                                              t.partitions.size()));
      seen[p.partition_index] = true;
    }
    topic.partitions = static_cast<int32_t>(t.partitions.size());
    topics.push_back(std::move(topic));
  }
  std::sort(topics.begin(), topics.end(),
            [](const SourceTopic& a, const SourceTopic& b) { return a.name < b.name; });
  if (topics.empty()) return topics;

  auto configs_version = client_.Version(protocol::ApiKey::kDescribeConfigs, 1, 4);
  if (!configs_version.ok()) return configs_version.status();
  protocol::DescribeConfigsRequest configs;
  for (const auto& t : topics) configs.resources.push_back({kTopicResource, t.name, std::nullopt});
  protocol::DescribeConfigsResponse answer;
  KQ_RETURN_IF_ERROR(client_.Call(configs, *configs_version, &answer));
  std::map<std::string, SourceTopic*> by_name;
  for (auto& t : topics) by_name[t.name] = &t;
  for (const auto& result : answer.results) {
    auto it = by_name.find(result.resource_name);
    if (result.resource_type != kTopicResource || it == by_name.end())
      return Status::Corruption(fmt::format("{}: DescribeConfigs answers for '{}', not asked for",
                                            Describe(), result.resource_name));
    if (result.error_code != 0)
      return ErrorStatus(result.error_code,
                         fmt::format("{}: configs of '{}'", Describe(), result.resource_name));
    for (const auto& c : result.configs)
      if (c.config_source == kTopicConfigSource && c.value && !c.is_sensitive)
        it->second->configs[c.name] = *c.value;
  }
  return topics;
}

Result<int64_t> KafkaSource::ListOffset(const std::string& topic, PartitionId partition,
                                        int64_t timestamp) {
  KQ_ASSIGN_OR_RETURN(int16_t version, client_.Version(protocol::ApiKey::kListOffsets, 1, 7));
  protocol::ListOffsetsRequest request;
  request.replica_id = options_.replica_id;
  request.topics.push_back({topic, {{partition.value(), -1, timestamp, 1}}});
  protocol::ListOffsetsResponse response;
  KQ_RETURN_IF_ERROR(client_.Call(request, version, &response));
  std::string where =
      fmt::format("{}: ListOffsets {}", Describe(), Where(topic, partition.value()));
  if (response.topics.size() != 1 || response.topics[0].name != topic ||
      response.topics[0].partitions.size() != 1 ||
      response.topics[0].partitions[0].partition_index != partition.value())
    return Status::Corruption(where + ": the answer is not for the partition asked");
  const auto& p = response.topics[0].partitions[0];
  if (p.error_code != 0) return ErrorStatus(p.error_code, where);
  if (p.offset < 0)
    return Status::Corruption(fmt::format("{}: offset {} is negative", where, p.offset));
  return p.offset;
}

Result<SourceOffsets> KafkaSource::Offsets(const std::string& topic, PartitionId partition) {
  KQ_ASSIGN_OR_RETURN(int64_t start, ListOffset(topic, partition, kEarliest));
  KQ_ASSIGN_OR_RETURN(int64_t end, ListOffset(topic, partition, kLatest));
  if (end < start)
    return Status::Corruption(fmt::format("{}: {} ends at {} before its start {}", Describe(),
                                          Where(topic, partition.value()), end, start));
  return SourceOffsets{Offset(start), Offset(end)};
}

Result<log::EpochEndOffset> KafkaSource::EndOffsetForEpoch(const std::string& topic,
                                                           PartitionId partition, Epoch epoch) {
  KQ_ASSIGN_OR_RETURN(int16_t version,
                      client_.Version(protocol::ApiKey::kOffsetForLeaderEpoch, 2, 4));
  protocol::OffsetForLeaderEpochRequest request;
  // A follower names itself; -2 is Kafka's "debugging consumer", which any
  // broker answers.
  request.replica_id = options_.replica_id >= 0 ? options_.replica_id : -2;
  request.topics.push_back({topic, {{partition.value(), -1, epoch.value()}}});
  protocol::OffsetForLeaderEpochResponse response;
  KQ_RETURN_IF_ERROR(client_.Call(request, version, &response));
  std::string where =
      fmt::format("{}: OffsetForLeaderEpoch {}", Describe(), Where(topic, partition.value()));
  if (response.topics.size() != 1 || response.topics[0].topic != topic ||
      response.topics[0].partitions.size() != 1 ||
      response.topics[0].partitions[0].partition != partition.value())
    return Status::Corruption(where + ": the answer is not for the partition asked");
  const auto& p = response.topics[0].partitions[0];
  if (p.error_code != 0) return ErrorStatus(p.error_code, where);
  if (p.leader_epoch < -1 || p.end_offset < -1 ||
      (p.leader_epoch >= 0 && p.leader_epoch > epoch.value()))
    return Status::Corruption(fmt::format("{}: epoch {} end offset {} for requested epoch {}",
                                          where, p.leader_epoch, p.end_offset, epoch.value()));
  return log::EpochEndOffset{Epoch(p.leader_epoch), Offset(p.end_offset)};
}

Result<std::vector<FetchedPartition>> KafkaSource::Fetch(std::span<const FetchPosition> positions,
                                                         size_t max_bytes_per_partition,
                                                         std::chrono::milliseconds max_wait) {
  std::vector<FetchedPartition> out(positions.size());
  if (positions.empty()) return out;
  KQ_ASSIGN_OR_RETURN(int16_t version, client_.Version(protocol::ApiKey::kFetch, 4, 12));
  const int32_t per_partition =
      static_cast<int32_t>(std::clamp<size_t>(max_bytes_per_partition, 1, INT32_MAX));
  // Which positions still need an answer, and the room each gets.
  std::vector<size_t> pending(positions.size());
  std::vector<int32_t> room(positions.size(), per_partition);
  for (size_t i = 0; i < positions.size(); ++i) pending[i] = i;
  const uint32_t max_response = options_.wire.max_response_bytes;

  for (int round = 0; round < 2 && !pending.empty(); ++round) {
    protocol::FetchRequest request;
    request.replica_id = options_.replica_id;
    request.max_wait_ms = static_cast<int32_t>(std::clamp<int64_t>(max_wait.count(), 0, INT32_MAX));
    request.min_bytes = 1;
    request.isolation_level = 0;
    request.session_id = 0;
    request.session_epoch = -1;  // a full fetch, no session
    uint64_t total = 0;
    std::map<std::pair<std::string, int32_t>, size_t> asked;  // -> index in positions
    for (size_t i : pending) {
      const FetchPosition& pos = positions[i];
      if (!asked.emplace(std::make_pair(pos.topic, pos.partition.value()), i).second)
        return Status::InvalidArgument(
            fmt::format("fetch names {} twice", Where(pos.topic, pos.partition.value())));
      if (request.topics.empty() || request.topics.back().topic != pos.topic)
        request.topics.emplace_back().topic = pos.topic;
      protocol::FetchPartition p;
      p.partition = pos.partition.value();
      p.fetch_offset = pos.from.value();
      p.partition_max_bytes = room[i];
      request.topics.back().partitions.push_back(p);
      total += static_cast<uint64_t>(room[i]);
    }
    request.max_bytes =
        static_cast<int32_t>(std::min<uint64_t>({total, max_response / 2, uint64_t{INT32_MAX}}));
    protocol::FetchResponse response;
    KQ_RETURN_IF_ERROR(client_.Call(request, version, &response, max_wait));
    if (response.error_code != 0)
      return ErrorStatus(response.error_code, fmt::format("{}: Fetch", Describe()));

    std::vector<bool> answered(positions.size(), false);
    std::vector<size_t> out_of_range;
    std::vector<size_t> again;
    for (const auto& topic : response.responses) {
      for (const auto& data : topic.partitions) {
        std::string where = Where(topic.topic, data.partition_index);
        auto it = asked.find({topic.topic, data.partition_index});
        if (it == asked.end() || answered[it->second])
          return Status::Corruption(
              fmt::format("{}: Fetch answers for {}, not asked for (or twice)", Describe(), where));
        size_t i = it->second;
        answered[i] = true;
        FetchedPartition& f = out[i];
        f = FetchedPartition{};
        f.offsets.log_start = Offset(std::max<int64_t>(data.log_start_offset, 0));
        f.offsets.log_end = Offset(std::max<int64_t>(data.high_watermark, 0));
        if (data.error_code != 0) {
          f.status = ErrorStatus(data.error_code, fmt::format("{}: Fetch {}", Describe(), where));
          // Where the source stands, asked after this answer is read: the
          // next call reuses the buffer its records point into.
          if (f.status.IsOutOfRange()) out_of_range.push_back(i);
          continue;
        }
        if (data.high_watermark < 0 || data.log_start_offset < -1)
          return Status::Corruption(fmt::format("{}: Fetch {}: high watermark {}, log start {}",
                                                Describe(), where, data.high_watermark,
                                                data.log_start_offset));
        auto split =
            SplitBatches(data.records.bytes, fmt::format("{}: Fetch {}", Describe(), where),
                         {.tail = PartialTail::kDrop,
                          .from = positions[i].from.value(),
                          .max_batch_bytes = SIZE_MAX});
        if (!split.ok()) {
          f.status = split.status();
          continue;
        }
        f.batches = std::move(split->batches);
        const size_t partial = split->partial_size;
        if (!f.batches.empty()) {
          auto last = format::DecodeBatchHeader(f.batches.back());
          if (last.ok())
            f.offsets.log_end = std::max(f.offsets.log_end, Offset(last->next_offset()));
        } else if (partial > static_cast<size_t>(room[i]) && partial <= max_response / 2) {
          // Only part of one batch bigger than the room given: ask again
          // with room for it (brokers before v3 semantics cut there).
          room[i] = static_cast<int32_t>(partial);
          again.push_back(i);
        }
      }
    }
    for (size_t i : pending)
      if (!answered[i])
        return Status::Corruption(
            fmt::format("{}: Fetch left out {}", Describe(),
                        Where(positions[i].topic, positions[i].partition.value())));
    for (size_t i : out_of_range) {
      KQ_ASSIGN_OR_RETURN(out[i].offsets, Offsets(positions[i].topic, positions[i].partition));
    }
    pending = std::move(again);
    max_wait = std::chrono::milliseconds(0);
  }
  return out;
}

}  // namespace kq::replica
