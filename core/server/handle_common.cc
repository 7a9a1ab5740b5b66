// What several handlers share (handlers.h).
#include "server/handlers.h"

namespace kq::server {

int16_t OpenForRead(Broker& broker, const Request& request, const std::string& topic,
                    int32_t partition, int32_t current_leader_epoch, log::Partition** out) {
  using protocol::ErrorCode;
  if (!broker.Allowed(request, Operation::kRead, ResourceType::kTopic, topic))
    return Code(ErrorCode::kTopicAuthorizationFailed);
  auto p = broker.partitions().Get(topic, partition);
  if (!p.ok())
    return Code(p.status().IsNotFound() ? ErrorCode::kUnknownTopicOrPartition
                                        : ErrorCode::kKafkaStorageError);
  if (Status s = (*p)->Refresh(); !s.ok()) return Code(ErrorCode::kKafkaStorageError);
  // KIP-320: a client that knows a newer epoch is ahead of us; an older one
  // is fenced.
  int32_t epoch = (*p)->leader_epoch().value();
  if (current_leader_epoch >= 0 && current_leader_epoch != epoch)
    return Code(current_leader_epoch > epoch ? ErrorCode::kUnknownLeaderEpoch
                                             : ErrorCode::kFencedLeaderEpoch);
  *out = *p;
  return 0;
}

}  // namespace kq::server
