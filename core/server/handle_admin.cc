// The rest of the admin API: CreatePartitions, AlterConfigs,
// IncrementalAlterConfigs, DeleteRecords and DescribeCluster, on the log
// directory's own operations (log/log_dir.h, Partition::AdvanceLogStart).
#include <fmt/format.h>

#include "protocol/error_codes.h"
#include "protocol/messages/alter_configs.h"
#include "protocol/messages/create_partitions.h"
#include "protocol/messages/delete_records.h"
#include "protocol/messages/describe_cluster.h"
#include "protocol/messages/incremental_alter_configs.h"
#include "server/handlers.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;

// IncrementalAlterConfigs operations.
constexpr int8_t kOpSet = 0;
constexpr int8_t kOpDelete = 1;
constexpr int8_t kOpAppend = 2;
constexpr int8_t kOpSubtract = 3;

std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item =
        value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// Applies `changes` to a topic (or only checks them): the shared tail of
// both AlterConfigs flavours. Returns the error for the resource.
std::pair<int16_t, std::optional<std::string>> AlterTopic(
    Broker& broker, const std::string& topic, const std::vector<log::ConfigChange>& changes,
    bool validate_only) {
  auto info = broker.partitions().Topic(topic);
  if (!info.ok()) return {Code(ErrorCode::kUnknownTopicOrPartition), info.status().message()};
  log::TopicConfig check = info->config;
  for (const auto& c : changes) {
    Status s = c.value ? check.Set(c.key, *c.value) : check.Reset(c.key);
    if (!s.ok()) return {Code(ErrorCode::kInvalidConfig), s.message()};
  }
  if (validate_only) return {0, std::nullopt};
  if (Status s = broker.log_dir().AlterTopicConfig(topic, changes); !s.ok())
    return {Code(ErrorCode::kInvalidConfig), s.message()};
  broker.ForgetTopic(topic);  // reopen with the new segment settings
  return {0, std::nullopt};
}

// The checks both AlterConfigs flavours make of a resource before altering
// it; false when `out` already holds the answer.
template <typename Resource, typename Out>
bool MayAlter(const Broker& broker, const Request& request, const Resource& resource, Out* out) {
  out->resource_type = resource.resource_type;
  out->resource_name = resource.resource_name;
  out->error_message = std::nullopt;
  if (resource.resource_type != kResourceTopic) {
    out->error_code = Code(ErrorCode::kInvalidRequest);
    out->error_message = resource.resource_type == kResourceBroker
                             ? "broker configs are read-only: restart kq-serve with --config"
                             : "only topic configs can be altered";
    return false;
  }
  if (!broker.Allowed(request, Operation::kAdmin, ResourceType::kTopic, resource.resource_name)) {
    out->error_code = Code(ErrorCode::kTopicAuthorizationFailed);
    return false;
  }
  return true;
}

}  // namespace

void HandleCreatePartitions(Broker& broker, const RequestPtr& request) {
  protocol::CreatePartitionsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::CreatePartitionsResponse response;
  for (const auto& topic : req.topics) {
    auto& out = response.results.emplace_back();
    out.name = topic.name;
    auto fail = [&](ErrorCode code, std::string message) {
      out.error_code = Code(code);
      out.error_message = std::move(message);
    };
    if (!broker.Allowed(*request, Operation::kAdmin, ResourceType::kTopic, topic.name)) {
      fail(ErrorCode::kTopicAuthorizationFailed, "not allowed");
      continue;
    }
    if (topic.assignments && !topic.assignments->empty()) {
      fail(ErrorCode::kInvalidReplicaAssignment,
           "replica assignments are not supported: kq-serve is a single broker");
      continue;
    }
    auto info = broker.partitions().Topic(topic.name);
    if (!info.ok()) {
      fail(ErrorCode::kUnknownTopicOrPartition, info.status().message());
      continue;
    }
    if (topic.count <= info->partitions || topic.count > log::kMaxPartitionsPerTopic) {
      fail(ErrorCode::kInvalidPartitions,
           fmt::format("topic '{}' has {} partitions; the new count must be more (at most {}), "
                       "not {}",
                       topic.name, info->partitions, log::kMaxPartitionsPerTopic, topic.count));
      continue;
    }
    if (req.validate_only) continue;
    if (Status s = broker.log_dir().AddPartitions(topic.name, topic.count); !s.ok())
      fail(ErrorCode::kInvalidPartitions, s.message());
  }
  request->Reply(response);
}

void HandleAlterConfigs(Broker& broker, const RequestPtr& request) {
  protocol::AlterConfigsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::AlterConfigsResponse response;
  for (const auto& resource : req.resources) {
    auto& out = response.responses.emplace_back();
    if (!MayAlter(broker, *request, resource, &out)) continue;
    // AlterConfigs replaces the whole set: what is not named returns to its
    // default (Kafka's semantics, which IncrementalAlterConfigs fixed).
    std::vector<log::ConfigChange> changes;
    auto info = broker.partitions().Topic(resource.resource_name);
    if (info.ok())
      for (const auto& e : info->config.Describe())
        if (!e.is_default) changes.push_back({e.name, std::nullopt});
    for (const auto& c : resource.configs) changes.push_back({c.name, c.value});
    std::tie(out.error_code, out.error_message) =
        AlterTopic(broker, resource.resource_name, changes, req.validate_only);
  }
  request->Reply(response);
}

void HandleIncrementalAlterConfigs(Broker& broker, const RequestPtr& request) {
  protocol::IncrementalAlterConfigsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::IncrementalAlterConfigsResponse response;
  for (const auto& resource : req.resources) {
    auto& out = response.responses.emplace_back();
    if (!MayAlter(broker, *request, resource, &out)) continue;
    auto info = broker.partitions().Topic(resource.resource_name);
    if (!info.ok()) {
      out.error_code = Code(ErrorCode::kUnknownTopicOrPartition);
      out.error_message = info.status().message();
      continue;
    }
    std::vector<log::ConfigChange> changes;
    for (const auto& c : resource.configs) {
      std::string current;
      for (const auto& e : info->config.Describe())
        if (e.name == c.name) current = e.value;
      switch (c.config_operation) {
        case kOpSet:
          changes.push_back({c.name, c.value});
          break;
        case kOpDelete:
          changes.push_back({c.name, std::nullopt});
          break;
        case kOpAppend:
        case kOpSubtract: {
          // List configs (cleanup.policy): add or remove items.
          auto items = SplitList(current);
          for (const auto& item : SplitList(c.value.value_or(""))) {
            auto it = std::find(items.begin(), items.end(), item);
            if (c.config_operation == kOpAppend && it == items.end()) items.push_back(item);
            if (c.config_operation == kOpSubtract && it != items.end()) items.erase(it);
          }
          changes.push_back({c.name, JoinList(items)});
          break;
        }
        default:
          out.error_code = Code(ErrorCode::kInvalidRequest);
          out.error_message = fmt::format("config operation {} is unknown", c.config_operation);
      }
    }
    if (out.error_code != 0) continue;
    std::tie(out.error_code, out.error_message) =
        AlterTopic(broker, resource.resource_name, changes, req.validate_only);
  }
  request->Reply(response);
}

void HandleDeleteRecords(Broker& broker, const RequestPtr& request) {
  protocol::DeleteRecordsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::DeleteRecordsResponse response;
  for (const auto& topic : req.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& in : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = in.partition_index;
      out.low_watermark = -1;
      if (!broker.Allowed(*request, Operation::kAdmin, ResourceType::kTopic, topic.name)) {
        out.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
        continue;
      }
      auto partition = broker.partitions().Get(topic.name, in.partition_index);
      if (!partition.ok()) {
        out.error_code = Code(partition.status().IsNotFound() ? ErrorCode::kUnknownTopicOrPartition
                                                              : ErrorCode::kKafkaStorageError);
        continue;
      }
      log::Partition* p = *partition;
      (void)p->Refresh();
      // -1: up to the high watermark, which is the log end here.
      int64_t target = in.offset == -1 ? p->log_end_offset().value() : in.offset;
      if (target < 0 || target > p->log_end_offset().value()) {
        out.error_code = Code(ErrorCode::kOffsetOutOfRange);
        continue;
      }
      if (target > p->log_start_offset().value()) {
        if (Status s = p->AdvanceLogStart(Offset(target)); !s.ok()) {
          out.error_code =
              Code(s.IsOutOfRange() ? ErrorCode::kOffsetOutOfRange : ErrorCode::kKafkaStorageError);
          LogRequestError(*request, "advance log start", s);
          continue;
        }
      }
      out.low_watermark = p->log_start_offset().value();
    }
  }
  request->Reply(response);
}

void HandleDescribeCluster(Broker& broker, const RequestPtr& request) {
  protocol::DescribeClusterRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::DescribeClusterResponse response;
  response.cluster_id = broker.log_dir().cluster_id();
  response.controller_id = broker.node_id();
  response.brokers.push_back(
      {broker.node_id(), broker.advertised().host, broker.advertised().port, std::nullopt});
  request->Reply(response);
}

}  // namespace kq::server
