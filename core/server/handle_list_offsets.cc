// ListOffsets: earliest (-2), latest (-1) or the first offset at or after a
// timestamp. Latest is the high watermark for a consumer (the log end until
// a follower shows up; without transactions also the last stable offset),
// the log end for a follower (replica id >= 0).
#include "protocol/error_codes.h"
#include "protocol/messages/list_offsets.h"
#include "server/handlers.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

constexpr int64_t kLatest = -1;
constexpr int64_t kEarliest = -2;

}  // namespace

void HandleListOffsets(Broker& broker, const RequestPtr& request) {
  protocol::ListOffsetsRequest req;
  if (!DecodeOrClose(request, &req)) return;
  protocol::ListOffsetsResponse response;
  for (const auto& topic : req.topics) {
    auto& topic_out = response.topics.emplace_back();
    topic_out.name = topic.name;
    for (const auto& in : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.partition_index = in.partition_index;
      log::Partition* p = nullptr;
      out.error_code = OpenForRead(broker, *request, topic.name, in.partition_index,
                                   in.current_leader_epoch, &p);
      if (out.error_code != 0) continue;
      int32_t epoch = p->leader_epoch().value();
      int64_t offset = 0;
      if (in.timestamp == kLatest) {
        offset = p->log_end_offset().value();
        if (req.replica_id < 0)
          offset = broker.replicas().HighWatermark({topic.name, in.partition_index}, offset);
      } else if (in.timestamp == kEarliest) {
        offset = p->log_start_offset().value();
      } else if (in.timestamp >= 0) {
        auto found = p->OffsetForTimestamp(in.timestamp);
        if (!found.ok()) {
          out.error_code = Code(ErrorCode::kKafkaStorageError);
          continue;
        }
        offset = found->value();
        // Kafka answers -1 when no record is that recent.
        if (offset == p->log_end_offset().value())
          offset = -1;
        else
          out.timestamp = in.timestamp;
      } else {
        out.error_code = Code(ErrorCode::kUnsupportedVersion);
        continue;
      }
      out.offset = offset;
      out.leader_epoch = epoch;
      if (request->version() == 0) out.old_style_offsets = {offset};
    }
  }
  request->Reply(response);
}

}  // namespace kq::server
