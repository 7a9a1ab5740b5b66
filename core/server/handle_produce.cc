// Produce: every batch is validated whole (framing, magic 2, CRC, every
// record decoded, through its codec) before anything of its partition touches
// the disk; then it is appended as sent, only its base offset and leader
// epoch patched. acks=0 gets no response; acks=1 and -1 are answered after
// the sync that covers the append when the topic's flush policy is fsync
// (one fdatasync on the thread pool shared by every request that appended
// before it began: FlushQueue).
// acks=-1 on a partition with followers also waits for the high watermark
// to pass the batches (ReplicaTracker); with fewer replicas in sync than
// min.insync.replicas the batches are refused (NOT_ENOUGH_REPLICAS).
#include <fmt/format.h>

#include "server/batch_validation.h"
#include "protocol/error_codes.h"
#include "protocol/messages/produce.h"
#include "server/handlers.h"
#include "server/schema_validation.h"

namespace kq::server {
namespace {

using protocol::ErrorCode;

// What one partition's append came to.
struct Appended {
  protocol::PartitionProduceResponse* response;
  FlushQueue::Key key;
  bool wait_for_sync;
  int64_t end_offset;  // after the appended batches
  int32_t min_insync;  // min.insync.replicas of the topic
};

void ProducePartition(Broker& broker, int16_t acks, bool may_create, const std::string& topic,
                      const protocol::PartitionProduceData& data,
                      protocol::PartitionProduceResponse* out, std::vector<Appended>* appended) {
  out->index = data.index;
  auto fail = [&](ErrorCode code, std::string message) {
    out->error_code = Code(code);
    out->base_offset = -1;
    out->error_message = std::move(message);
  };
  auto info = broker.partitions().Topic(topic);
  if (!info.ok() && info.status().IsNotFound() && may_create &&
      broker.config().GetBool("auto.create.topics.enable"))
    info = broker.AutoCreateTopic(topic);
  if (!info.ok())
    return fail(info.status().IsInvalidArgument() ? ErrorCode::kInvalidTopicException
                                                  : ErrorCode::kUnknownTopicOrPartition,
                info.status().message());
  auto partition = broker.partitions().Get(topic, data.index);
  if (!partition.ok())
    return fail(partition.status().IsNotFound() ? ErrorCode::kUnknownTopicOrPartition
                                                : ErrorCode::kKafkaStorageError,
                partition.status().message());
  if (data.records.is_null) return fail(ErrorCode::kInvalidRecord, "null records");

  size_t max_batch = static_cast<size_t>(
      std::min<int64_t>(info->config.max_message_bytes, broker.max_message_bytes()));
  std::vector<std::string> batches;
  std::vector<format::BatchHeader> headers;
  if (auto error = ValidateBatches(data.records.bytes, max_batch, info->config.cleanup_compact,
                                   &batches, &headers)) {
    return fail(error->code, std::move(error->message));
  }
  // confluent.*.schema.validation: the whole request or nothing.
  if (auto refusal = CheckSchemas(broker.log_dir().path(), topic, info->config, batches))
    return fail(ErrorCode::kInvalidRecord, std::move(*refusal));

  log::Partition* p = *partition;
  const int32_t min_insync =
      static_cast<int32_t>(info->config.explicit_keys().count("min.insync.replicas") != 0
                               ? info->config.min_insync_replicas
                               : broker.config().GetInt("min.insync.replicas"));
  if (acks == -1 && broker.replicas().InSyncCount({topic, data.index}) < min_insync)
    return fail(ErrorCode::kNotEnoughReplicas,
                fmt::format("{} replicas in sync, min.insync.replicas is {}",
                            broker.replicas().InSyncCount({topic, data.index}), min_insync));
  PartitionProducers* producers = nullptr;
  for (const auto& h : headers) {
    if (h.producer_id < 0) continue;
    if (producers == nullptr) {
      auto state = broker.Producers(topic, data.index, p);
      if (!state.ok()) return fail(ErrorCode::kKafkaStorageError, state.status().message());
      producers = *state;
    }
    int64_t duplicate_base = -1;
    switch (producers->Check(h, &duplicate_base)) {
      case SequenceCheck::kAppend:
        break;
      case SequenceCheck::kDuplicate:
        // A retry of a batch already in the log: acknowledged, not appended,
        // but no sooner than the original would be (its sync may still run).
        if (headers.size() == 1) {
          out->base_offset = duplicate_base;
          out->log_start_offset = p->log_start_offset().value();
          appended->push_back({out,
                               {topic, data.index},
                               info->config.flush.kind == log::FlushPolicy::Kind::kFsync,
                               duplicate_base + (h.last_offset() - h.base_offset) + 1,
                               min_insync});
          return;
        }
        return fail(ErrorCode::kDuplicateSequenceNumber,
                    "duplicate batch in a multi-batch request");
      case SequenceCheck::kOutOfOrder:
        return fail(ErrorCode::kOutOfOrderSequenceNumber,
                    fmt::format("producer {} epoch {}: sequence {} does not follow the last one",
                                h.producer_id, h.producer_epoch, h.base_sequence));
      case SequenceCheck::kInvalidEpoch:
        return fail(ErrorCode::kInvalidProducerEpoch,
                    fmt::format("producer {}: epoch {} is older than the current one",
                                h.producer_id, h.producer_epoch));
    }
  }

  auto result = p->Append(std::span<std::string>(batches));
  if (!result.ok()) return fail(ErrorCode::kKafkaStorageError, result.status().ToString());
  if (producers != nullptr) {
    for (const auto& b : batches) {
      auto h = format::DecodeBatchHeader(b);  // with the offset the log gave it
      if (h.ok() && h->producer_id >= 0) producers->Record(*h);
    }
  }
  out->base_offset = result->first_offset.value();
  out->log_start_offset = p->log_start_offset().value();
  broker.fetch_waiters().Notify(p->dir());
  const log::FlushPolicy& flush = info->config.flush;
  bool wait = flush.kind == log::FlushPolicy::Kind::kFsync;
  if (flush.kind == log::FlushPolicy::Kind::kInterval)
    broker.flush_queue().SyncWithin({topic, data.index}, flush.interval_ms);
  appended->push_back(
      {out, {topic, data.index}, wait, result->last_offset.value() + 1, min_insync});
}

}  // namespace

void HandleProduce(Broker& broker, const RequestPtr& request) {
  auto req = std::make_shared<protocol::ProduceRequest>();
  if (!DecodeOrClose(request, req.get())) return;
  auto response = std::make_shared<protocol::ProduceResponse>();
  std::vector<Appended> appended;
  bool transactional = req->transactional_id.has_value();
  // `appended` keeps pointers into the response: no reallocation after this.
  response->responses.reserve(req->topic_data.size());
  for (const auto& topic : req->topic_data) {
    auto& topic_out = response->responses.emplace_back();
    topic_out.name = topic.name;
    topic_out.partition_responses.reserve(topic.partition_data.size());
    for (const auto& data : topic.partition_data) {
      auto& out = topic_out.partition_responses.emplace_back();
      if (!broker.Allowed(*request, Operation::kWrite, ResourceType::kTopic, topic.name)) {
        out.index = data.index;
        out.error_code = Code(ErrorCode::kTopicAuthorizationFailed);
        out.base_offset = -1;
        continue;
      }
      if (IsInternalTopic(topic.name)) {
        // Kafka refuses client writes to its internal topics too: a stray
        // record in __consumer_offsets would rewrite a group's commits.
        out.index = data.index;
        out.error_code = Code(ErrorCode::kInvalidTopicException);
        out.base_offset = -1;
        out.error_message = "clients may not write to an internal topic";
        request->NoteError(out.error_code);
        continue;
      }
      if (transactional) {
        out.index = data.index;
        out.error_code = Code(ErrorCode::kTransactionalIdAuthorizationFailed);
        out.base_offset = -1;
        out.error_message = "kq-serve does not support transactions";
        continue;
      }
      ProducePartition(
          broker, req->acks,
          broker.Allowed(*request, Operation::kAdmin, ResourceType::kTopic, topic.name), topic.name,
          data, &out, &appended);
      request->NoteError(out.error_code);
    }
  }
  // acks=0: the producer does not read a response (Kafka sends none).
  if (req->acks == 0) return request->NoResponse();

  auto waiting = std::make_shared<size_t>(0);
  // acks=-1: the in-sync replicas must have the batches too.
  auto replicated = [&](const Appended& a) {
    return req->acks == -1 && (broker.replicas().Replicated(a.key) || a.min_insync > 1);
  };
  for (const auto& a : appended) {
    if (a.wait_for_sync) ++*waiting;
    if (replicated(a)) ++*waiting;
  }
  if (*waiting == 0) return request->Reply(*response);
  for (const auto& a : appended) {
    if (!replicated(a)) continue;
    protocol::PartitionProduceResponse* out = a.response;
    broker.replicas().WaitForHighWatermark(
        a.key, a.end_offset, a.min_insync, req->timeout_ms,
        [request, response, req, waiting, out](ErrorCode code) {
          if (code != ErrorCode::kNone && out->error_code == 0) {
            out->error_code = Code(code);
            out->error_message = code == ErrorCode::kRequestTimedOut
                                     ? "the in-sync replicas did not get the records in time"
                                     : "too few replicas in sync after the append";
          }
          if (--*waiting == 0) request->Reply(*response);
        });
  }
  for (const auto& a : appended) {
    if (!a.wait_for_sync) continue;
    protocol::PartitionProduceResponse* out = a.response;
    broker.flush_queue().AfterSync(a.key, [request, response, req, waiting, out](Status s) {
      if (!s.ok()) {
        out->error_code = Code(ErrorCode::kKafkaStorageError);
        out->base_offset = -1;
        out->error_message = s.ToString();
      }
      if (--*waiting == 0) request->Reply(*response);
    });
  }
}

}  // namespace kq::server
