// Fetch: record data goes from the segment file to the socket with sendfile
// (Partition::Locate names the bytes; the connection sends them). A fetch
// that finds fewer than min_bytes waits up to max_wait_ms for appends by this
// server or by any process on the directory (FetchWaiters).
//
// A fetch with a replica id >= 0 is a follower's: it is tracked
// (ReplicaTracker) and served up to the log end. Consumers are served up to
// the high watermark, which is the log end until a follower shows up. There
// are no transactions, so the last stable offset is the high watermark.
#include "protocol/error_codes.h"
#include "protocol/messages/fetch.h"
#include "server/handlers.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

struct FetchCall {
  RequestPtr request;
  protocol::FetchRequest req;
};

struct Built {
  protocol::FetchResponse response;
  std::vector<std::shared_ptr<const void>> keep_alive;
  std::vector<std::string> dirs;  // partitions to wait on
  uint64_t bytes = 0;
  bool any_error = false;
};

void FetchPartition(Broker& broker, int32_t replica_id, const std::string& topic,
                    const protocol::FetchPartition& in, uint64_t* budget, Built* built,
                    protocol::PartitionData* out) {
  out->partition_index = in.partition;
  auto partition = broker.partitions().Get(topic, in.partition);
  if (!partition.ok()) {
    out->error_code = partition.status().IsNotFound() ? Code(ErrorCode::kUnknownTopicOrPartition)
                                                      : Code(ErrorCode::kKafkaStorageError);
    out->high_watermark = out->last_stable_offset = out->log_start_offset = -1;
    built->any_error = true;
    return;
  }
  log::Partition* p = *partition;
  if (Status s = p->Refresh(); !s.ok()) {
    out->error_code = Code(ErrorCode::kKafkaStorageError);
    built->any_error = true;
    return;
  }
  int64_t end = p->log_end_offset().value();
  const ReplicaTracker::Key key{topic, in.partition};
  if (replica_id >= 0 && in.fetch_offset <= end && in.fetch_offset >= p->log_start_offset().value())
    broker.replicas().FollowerFetched(key, replica_id, in.fetch_offset, end);
  const int64_t hw = broker.replicas().HighWatermark(key, end);
  const int64_t limit = replica_id >= 0 ? end : hw;  // what this fetcher may see
  out->high_watermark = hw;
  out->last_stable_offset = hw;
  out->log_start_offset = p->log_start_offset().value();
  int32_t epoch = p->leader_epoch().value();
  out->current_leader.leader_id = broker.node_id();
  out->current_leader.leader_epoch = epoch;
  if (in.current_leader_epoch >= 0 && in.current_leader_epoch != epoch) {
    out->error_code = in.current_leader_epoch > epoch ? Code(ErrorCode::kUnknownLeaderEpoch)
                                                      : Code(ErrorCode::kFencedLeaderEpoch);
    built->any_error = true;
    return;
  }
  if (in.fetch_offset < out->log_start_offset || in.fetch_offset > end) {
    out->error_code = Code(ErrorCode::kOffsetOutOfRange);
    built->any_error = true;
    return;
  }
  built->dirs.push_back(p->dir());
  if (in.fetch_offset >= limit || *budget == 0 || in.partition_max_bytes <= 0) return;
  size_t want = static_cast<size_t>(std::min<uint64_t>(*budget, uint64_t(in.partition_max_bytes)));
  auto located = p->Locate(Offset(in.fetch_offset), want);
  if (!located.ok()) {
    out->error_code = located.status().IsOutOfRange() ? Code(ErrorCode::kOffsetOutOfRange)
                                                      : Code(ErrorCode::kKafkaStorageError);
    built->any_error = true;
    return;
  }
  if (located->next_offset.value() > limit) {
    if (Status s = CapLocatedRead(&*located, limit); !s.ok()) {
      out->error_code = Code(ErrorCode::kKafkaStorageError);
      built->any_error = true;
      return;
    }
  }
  if (located->length == 0) return;
  uint32_t len = static_cast<uint32_t>(std::min<uint64_t>(located->length, INT32_MAX));
  if (located->fd() >= 0) {
    out->records.fd = located->fd();
    out->records.file_pos = located->position.value();
    out->records.file_len = len;
    built->keep_alive.push_back(located->file);
  } else {
    // An Env without descriptors (in-memory): copy the bytes.
    auto bytes = std::make_shared<std::string>();
    Status s = located->file->Read(located->position.value(), len, bytes.get());
    if (!s.ok()) {
      out->error_code = Code(ErrorCode::kKafkaStorageError);
      built->any_error = true;
      return;
    }
    out->records.bytes = *bytes;
    built->keep_alive.push_back(bytes);
  }
  built->bytes += len;
  *budget -= std::min<uint64_t>(*budget, len);
}

Built Build(Broker& broker, const Request& request, const protocol::FetchRequest& req) {
  int16_t version = request.version();
  Built built;
  uint64_t budget = static_cast<uint64_t>(std::min<int64_t>(
      version >= 3 ? req.max_bytes : INT32_MAX, broker.config().GetInt("fetch.max.bytes")));
  if (budget == 0) budget = 1;  // at least one batch, as Kafka (v3+)
  for (const auto& topic : req.topics) {
    auto& topic_out = built.response.responses.emplace_back();
    topic_out.topic = topic.topic;
    topic_out.topic_id = topic.topic_id;
    bool allowed = broker.Allowed(request, Operation::kRead, ResourceType::kTopic, topic.topic);
    for (const auto& partition : topic.partitions) {
      auto& out = topic_out.partitions.emplace_back();
      out.aborted_transactions = std::nullopt;
      if (!allowed) {
        out.partition_index = partition.partition;
        out.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
        out.high_watermark = out.last_stable_offset = out.log_start_offset = -1;
        built.any_error = true;
        continue;
      }
      FetchPartition(broker, req.replica_id, topic.topic, partition, &budget, &built, &out);
    }
  }
  return built;
}

void Answer(FetchCall& call, Built built) {
  for (const auto& topic : built.response.responses)
    for (const auto& partition : topic.partitions) call.request->NoteError(partition.error_code);
  call.request->Reply(built.response, std::move(built.keep_alive));
}

}  // namespace

void HandleFetch(Broker& broker, const RequestPtr& request) {
  auto call = std::make_shared<FetchCall>();
  call->request = request;
  if (!DecodeOrClose(request, &call->req)) return;
  Built built = Build(broker, *request, call->req);
  int64_t min_bytes = std::max<int32_t>(call->req.min_bytes, 1);
  if (built.any_error || static_cast<int64_t>(built.bytes) >= min_bytes ||
      call->req.max_wait_ms <= 0 || built.dirs.empty())
    return Answer(*call, std::move(built));

  Broker* b = &broker;
  broker.fetch_waiters().Park(
      built.dirs, call->req.max_wait_ms,
      [b, call, min_bytes] {
        Built again = Build(*b, *call->request, call->req);
        if (!again.any_error && static_cast<int64_t>(again.bytes) < min_bytes) return false;
        Answer(*call, std::move(again));
        return true;
      },
      [b, call] { Answer(*call, Build(*b, *call->request, call->req)); });
}

}  // namespace kq::server
