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
  if (!DecodeOrClose(request, &req)) return;
  using protocol::ErrorCode;
  protocol::OffsetForLeaderEpochResponse response;
  for (const auto& topic : req.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.topic = topic.topic;
    for (const auto& in : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition = in.partition;
      log::Partition* p = nullptr;
      out.error_code =
          OpenForRead(broker, *request, topic.topic, in.partition, in.current_leader_epoch, &p);
      if (out.error_code != 0) continue;
      auto entries = log::leader_epoch::Read(broker.log_dir().env(),
                                             io::JoinPath(p->dir(), log::kLeaderEpochCheckpoint));
      if (!entries.ok()) {
        out.error_code = Code(ErrorCode::kKafkaStorageError);
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
