// OffsetForLeaderEpoch: where an epoch ends in this log (KIP-101), from the
// partition's leader-epoch-checkpoint. Followers and consumers use it to
// find the point where their copy diverged from the leader's.
#include "io/env.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition_files.h"
#include "protocol/error_codes.h"
#include "protocol/messages/offset_for_leader_epoch.h"
#include "server/handlers.h"

namespace kq::server {

void HandleOffsetForLeaderEpoch(Broker& broker, const RequestPtr& request) {
  protocol::OffsetForLeaderEpochRequest req;
  if (Status s = request->Decode(&req); !s.ok()) {
    LogRequestError(*request, "decode", s);
    return request->CloseConnection();
  }
  using protocol::ErrorCode;
  protocol::OffsetForLeaderEpochResponse response;
  for (const auto& topic : req.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.topic = topic.topic;
    for (const auto& in : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition = in.partition;
      if (!broker.Allowed(*request, Operation::kRead, ResourceType::kTopic, topic.topic)) {
        out.error_code = static_cast<int16_t>(ErrorCode::kTopicAuthorizationFailed);
        continue;
      }
      auto partition = broker.partitions().Get(topic.topic, in.partition);
      if (!partition.ok()) {
        out.error_code = static_cast<int16_t>(partition.status().IsNotFound()
                                                  ? ErrorCode::kUnknownTopicOrPartition
                                                  : ErrorCode::kKafkaStorageError);
        continue;
      }
      log::Partition* p = *partition;
      (void)p->Refresh();
      int32_t current = p->leader_epoch().value();
      if (in.current_leader_epoch >= 0 && in.current_leader_epoch != current) {
        out.error_code =
            static_cast<int16_t>(in.current_leader_epoch > current ? ErrorCode::kUnknownLeaderEpoch
                                                                   : ErrorCode::kFencedLeaderEpoch);
        continue;
      }
      auto entries = log::leader_epoch::Read(broker.log_dir().env(),
                                             io::JoinPath(p->dir(), log::kLeaderEpochCheckpoint));
      if (!entries.ok()) {
        out.error_code = static_cast<int16_t>(ErrorCode::kKafkaStorageError);
        continue;
      }
      log::EpochEndOffset end =
          log::leader_epoch::EndOffsetFor(*entries, Epoch(in.leader_epoch), p->log_end_offset());
      out.leader_epoch = end.epoch.value();
      out.end_offset = end.end_offset.value();
    }
  }
  request->Reply(response);
}

}  // namespace kq::server
