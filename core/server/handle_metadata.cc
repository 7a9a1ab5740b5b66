// Metadata: this server is the whole cluster: one broker, the leader of
// every partition; followers that fetch with a replica id are listed as its
// other replicas (and in sync while they keep up), under their ids. Topics
// are created on request when auto.create.topics.enable is on and the client
// allows it.
#include <fmt/format.h>

#include "log/topic_name.h"
#include "protocol/error_codes.h"
#include "protocol/messages/metadata.h"
#include "server/handlers.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

protocol::MetadataResponseTopic DescribeTopic(Broker& broker, const std::string& name,
                                              bool may_create) {
  protocol::MetadataResponseTopic out;
  out.name = name;
  out.is_internal = IsInternalTopic(name);
  auto info = broker.partitions().Topic(name);
  // Kafka answers LEADER_NOT_AVAILABLE for a topic it just created; kq's
  // topic is ready at once, so its partitions are listed in this answer.
  if (!info.ok() && info.status().IsNotFound() && may_create) info = broker.AutoCreateTopic(name);
  if (!info.ok()) {
    out.error_code = info.status().IsNotFound()          ? Code(ErrorCode::kUnknownTopicOrPartition)
                     : info.status().IsInvalidArgument() ? Code(ErrorCode::kInvalidTopicException)
                                                         : Code(ErrorCode::kUnknownServerError);
    return out;
  }
  for (int32_t p = 0; p < info->partitions; ++p) {
    protocol::MetadataResponsePartition part;
    part.partition_index = p;
    part.leader_id = broker.node_id();
    // Metadata opens no partition (a kcat -L of thousands would open them
    // all): the epoch of one not open yet is "unknown" (-1), for which
    // clients skip their epoch checks; Fetch and ListOffsets open it and
    // check for real.
    part.leader_epoch = -1;
    if (log::Partition* open = broker.partitions().FindOpen(name, p))
      part.leader_epoch = open->leader_epoch().value();
    // The followers that fetched with a replica id are replicas too.
    part.replica_nodes = broker.replicas().Replicas({name, p}, broker.node_id());
    part.isr_nodes = broker.replicas().InSync({name, p}, broker.node_id());
    out.partitions.push_back(std::move(part));
  }
  return out;
}

}  // namespace

void HandleMetadata(Broker& broker, const RequestPtr& request) {
  protocol::MetadataRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::MetadataResponse response;
  response.brokers.push_back(
      {broker.node_id(), broker.advertised().host, broker.advertised().port, std::nullopt});
  response.cluster_id = broker.log_dir().cluster_id();
  response.controller_id = broker.node_id();

  // v0: an empty list means every topic; v1+: null means every topic and
  // empty means none (a brokers-only refresh).
  bool all = !req.topics.has_value() || (request->version() == 0 && req.topics->empty());
  if (all) {
    auto names = broker.log_dir().ListTopics();
    if (names.ok())
      for (const auto& name : *names)
        if (broker.Allowed(*request, Operation::kRead, ResourceType::kTopic, name))
          response.topics.push_back(DescribeTopic(broker, name, /*may_create=*/false));
  } else {
    bool may_create = broker.config().GetBool("auto.create.topics.enable") &&
                      (request->version() < 4 || req.allow_auto_topic_creation);
    for (const auto& topic : *req.topics) {
      if (!topic.name) {
        protocol::MetadataResponseTopic unknown;
        unknown.error_code = Code(ErrorCode::kUnknownTopicId);
        unknown.topic_id = topic.topic_id;
        response.topics.push_back(std::move(unknown));
        continue;
      }
      if (!broker.Allowed(*request, Operation::kRead, ResourceType::kTopic, *topic.name)) {
        protocol::MetadataResponseTopic denied;
        denied.name = *topic.name;
        denied.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
        response.topics.push_back(std::move(denied));
        continue;
      }
      // Creating a topic is an admin operation.
      bool create = may_create &&
                    broker.Allowed(*request, Operation::kAdmin, ResourceType::kTopic, *topic.name);
      response.topics.push_back(DescribeTopic(broker, *topic.name, create));
    }
  }
  request->Reply(response);
}

}  // namespace kq::server
