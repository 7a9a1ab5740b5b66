// CreateTopics, DeleteTopics and DescribeConfigs: the log directory's topic
// operations (log/log_dir.h) behind Kafka's admin API, so kafka-topics,
// kafkajs' admin and `kq-topics -b` manage a served directory.
#include <fmt/format.h>

#include "log/topic_name.h"
#include "protocol/error_codes.h"
#include "protocol/messages/create_topics.h"
#include "protocol/messages/delete_topics.h"
#include "protocol/messages/describe_configs.h"
#include "server/handlers.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

constexpr int8_t kResourceTopic = 2;
constexpr int8_t kResourceBroker = 4;
// DescribeConfigs config sources.
constexpr int8_t kSourceTopic = 1;
constexpr int8_t kSourceStaticBroker = 4;
constexpr int8_t kSourceDefault = 5;

// Validates and creates one topic; fills the error fields of `out`.
void CreateOne(Broker& broker, const protocol::CreatableTopic& in, bool validate_only,
               protocol::CreatableTopicResult* out) {
  out->name = in.name;
  auto fail = [&](ErrorCode code, std::string message) {
    out->error_code = Code(code);
    out->error_message = std::move(message);
  };
  if (Status s = log::ValidateTopicName(in.name); !s.ok())
    return fail(ErrorCode::kInvalidTopicException, s.message());
  if (!in.assignments.empty())
    return fail(ErrorCode::kInvalidRequest,
                "replica assignments are not supported: kq-serve is a single broker");
  int32_t partitions = in.num_partitions == -1
                           ? static_cast<int32_t>(broker.config().GetInt("num.partitions"))
                           : in.num_partitions;
  if (partitions < 1 || partitions > log::kMaxPartitionsPerTopic)
    return fail(ErrorCode::kInvalidPartitions,
                fmt::format("number of partitions must be 1 to {}, not {}",
                            log::kMaxPartitionsPerTopic, in.num_partitions));
  if (in.replication_factor != -1 && in.replication_factor != 1)
    return fail(ErrorCode::kInvalidReplicationFactor,
                fmt::format("replication factor {} is impossible on a single broker; use 1",
                            in.replication_factor));
  log::TopicConfig config;
  for (const auto& c : in.configs) {
    if (!c.value) continue;
    if (Status s = config.Set(c.name, *c.value); !s.ok())
      return fail(ErrorCode::kInvalidConfig, s.message());
  }
  if (broker.partitions().Topic(in.name).ok())
    return fail(ErrorCode::kTopicAlreadyExists, fmt::format("topic '{}' already exists", in.name));
  out->num_partitions = partitions;
  out->replication_factor = 1;
  if (validate_only) return;
  if (Status s = broker.log_dir().CreateTopic(in.name, partitions, config); !s.ok()) {
    return fail(s.IsConflict() ? ErrorCode::kTopicAlreadyExists : ErrorCode::kUnknownServerError,
                s.message());
  }
  broker.ForgetTopic(in.name);
  std::vector<protocol::CreatableTopicConfigs> configs;
  for (const auto& e : config.Describe())
    configs.push_back(
        {e.name, e.value, false, e.is_default ? kSourceDefault : kSourceTopic, false});
  out->configs = std::move(configs);
}

}  // namespace

void HandleCreateTopics(Broker& broker, const RequestPtr& request) {
  protocol::CreateTopicsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::CreateTopicsResponse response;
  for (const auto& topic : req.topics) {
    auto& out = response.topics.emplace_back();
    out.error_message = std::nullopt;
    out.configs = std::nullopt;
    bool duplicate = 0 < std::count_if(req.topics.begin(), req.topics.end(), [&](const auto& t) {
                           return t.name == topic.name;
                         }) - 1;
    if (duplicate) {
      out.name = topic.name;
      out.error_code = Code(ErrorCode::kInvalidRequest);
      out.error_message = "topic named twice in one request";
      continue;
    }
    if (!broker.Allowed(*request, Operation::kAdmin, ResourceType::kTopic, topic.name)) {
      out.name = topic.name;
      out.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
      continue;
    }
    CreateOne(broker, topic, req.validate_only, &out);
  }
  request->Reply(response);
}

void HandleDeleteTopics(Broker& broker, const RequestPtr& request) {
  protocol::DeleteTopicsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  std::vector<std::optional<std::string>> names;
  if (request->version() >= 6) {
    for (const auto& t : req.topics) names.push_back(t.name);
  } else {
    for (const auto& n : req.topic_names) names.emplace_back(n);
  }
  protocol::DeleteTopicsResponse response;
  for (const auto& name : names) {
    auto& out = response.responses.emplace_back();
    out.name = name;
    if (!name) {
      out.error_code = Code(ErrorCode::kUnknownTopicId);
      out.error_message = "kq topics have no ids; delete by name";
      continue;
    }
    if (!broker.Allowed(*request, Operation::kAdmin, ResourceType::kTopic, *name)) {
      out.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
      continue;
    }
    broker.ForgetTopic(*name);
    Status s = broker.log_dir().DeleteTopic(*name);
    if (!s.ok()) {
      out.error_code = s.IsNotFound() ? Code(ErrorCode::kUnknownTopicOrPartition)
                                      : Code(ErrorCode::kUnknownServerError);
      out.error_message = s.message();
    }
  }
  request->Reply(response);
}

void HandleDescribeConfigs(Broker& broker, const RequestPtr& request) {
  protocol::DescribeConfigsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::DescribeConfigsResponse response;
  for (const auto& resource : req.resources) {
    auto& out = response.results.emplace_back();
    out.resource_type = resource.resource_type;
    out.resource_name = resource.resource_name;
    out.error_message = std::nullopt;
    auto wanted = [&](const std::string& name) {
      if (!resource.configuration_keys) return true;
      const auto& keys = *resource.configuration_keys;
      return std::find(keys.begin(), keys.end(), name) != keys.end();
    };
    auto add = [&](const std::string& name, const std::string& value, int8_t source,
                   bool is_default) {
      if (!wanted(name)) return;
      protocol::DescribeConfigsResourceResult c;
      c.name = name;
      c.value = value;
      c.config_source = source;
      c.is_default = is_default;
      c.read_only = resource.resource_type == kResourceBroker;
      c.documentation = std::nullopt;
      out.configs.push_back(std::move(c));
    };
    if (resource.resource_type == kResourceTopic &&
        !broker.Allowed(*request, Operation::kRead, ResourceType::kTopic, resource.resource_name)) {
      out.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
      continue;
    }
    if (resource.resource_type == kResourceTopic) {
      auto info = broker.partitions().Topic(resource.resource_name);
      if (!info.ok()) {
        out.error_code = Code(ErrorCode::kUnknownTopicOrPartition);
        out.error_message = info.status().message();
        continue;
      }
      for (const auto& e : info->config.Describe())
        add(e.name, e.value, e.is_default ? kSourceDefault : kSourceTopic, e.is_default);
    } else if (resource.resource_type == kResourceBroker) {
      for (const auto& [name, value] : broker.config().values())
        add(name, value, broker.config().IsSet(name) ? kSourceStaticBroker : kSourceDefault,
            !broker.config().IsSet(name));
    } else {
      out.error_code = Code(ErrorCode::kInvalidRequest);
      out.error_message = fmt::format("resource type {} is not supported", resource.resource_type);
    }
  }
  request->Reply(response);
}

}  // namespace kq::server
