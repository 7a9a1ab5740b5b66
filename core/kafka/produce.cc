// See produce.h for which librdkafka calls are used and why.
#include "kafka/produce.h"

#include <fmt/format.h>

#include "kafka/admin.h"

namespace kq::kafka {
namespace {

// Delivery bookkeeping, filled by OnDelivery on the caller's thread (dr_msg_cb
// runs inside rd_kafka_poll/rd_kafka_flush).
struct DeliveryState {
  std::string topic;
  ProduceReport report;
  uint64_t outstanding = 0;
  Status first_error;
};

void OnDelivery(rd_kafka_t* /*rk*/, const rd_kafka_message_t* msg, void* /*opaque*/) {
  auto* state = static_cast<DeliveryState*>(msg->_private);
  if (state == nullptr) return;
  --state->outstanding;
  if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    if (state->first_error.ok()) {
      int32_t partition = msg->partition;
      std::string where = partition >= 0 ? PartitionName(state->topic, partition)
                                         : fmt::format("topic '{}'", state->topic);
      state->first_error = ErrorStatus(msg->err, fmt::format("produce to {}", where));
    }
    return;
  }
  ProduceReport& r = state->report;
  ++r.records;
  r.bytes += msg->len + msg->key_len;
  PartitionRange& range = r.partitions[msg->partition];
  if (range.records == 0 || msg->offset < range.first_offset) range.first_offset = msg->offset;
  if (msg->offset > range.last_offset) range.last_offset = msg->offset;
  ++range.records;
  range.bytes += msg->len + msg->key_len;
}

// Hands one record to librdkafka, waiting for queue room when it is full.
Status SendOne(Client& client, DeliveryState& state, const ProduceRecord& record) {
  rd_kafka_headers_t* headers = nullptr;
  if (!record.headers.empty()) {
    headers = rd_kafka_headers_new(record.headers.size());
    for (const auto& [name, value] : record.headers) {
      rd_kafka_header_add(headers, name.data(), static_cast<ssize_t>(name.size()),
                          value ? value->data() : nullptr,
                          value ? static_cast<ssize_t>(value->size()) : 0);
    }
  }
  // A null pointer is a null key/value; "" needs a non-null pointer with
  // length 0, or librdkafka would send null.
  static const char kEmpty[1] = {0};
  const char* key = record.key ? (record.key->empty() ? kEmpty : record.key->data()) : nullptr;
  const char* value =
      record.value ? (record.value->empty() ? kEmpty : record.value->data()) : nullptr;
  size_t key_size = record.key ? record.key->size() : 0;
  size_t value_size = record.value ? record.value->size() : 0;
  int32_t partition = record.partition.value_or(RD_KAFKA_PARTITION_UA);
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        client.handle(), RD_KAFKA_V_TOPIC(state.topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_size),
        RD_KAFKA_V_VALUE(const_cast<char*>(value), value_size),
        RD_KAFKA_V_TIMESTAMP(record.timestamp_ms.value_or(0)), RD_KAFKA_V_HEADERS(headers),
        RD_KAFKA_V_OPAQUE(&state), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      ++state.outstanding;
      return Status::Ok();  // librdkafka owns the headers now
    }
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(client.handle(), 100);  // deliveries make room
      continue;
    }
    if (headers != nullptr) rd_kafka_headers_destroy(headers);
    std::string where = record.partition ? PartitionName(state.topic, *record.partition)
                                         : fmt::format("topic '{}'", state.topic);
    return ErrorStatus(err, fmt::format("produce to {}", where));
  }
}

// Fails before any record is pulled when the cluster is unreachable or the
// topic is missing and may not be created. *partitions: the topic's count;
// *created: whether this call created it.
Status PrepareTopic(Client& client, const ProduceOptions& options, std::string_view topic,
                    int32_t* partitions = nullptr, bool* created = nullptr) {
  Result<TopicMetadata> meta = client.Topic(topic);
  if (meta.ok()) {
    if (partitions != nullptr) *partitions = static_cast<int32_t>(meta->partitions.size());
    return Status::Ok();
  }
  if (!meta.status().IsNotFound()) return meta.status();
  if (!options.create_partitions) {
    return Status::NotFound(fmt::format(
        "topic '{}' does not exist at '{}' (and --no-create was given)", topic, client.brokers()));
  }
  NewTopic spec;
  spec.name = std::string(topic);
  spec.partitions = *options.create_partitions;
  Status s = CreateTopic(client, spec);
  if (s.IsConflict()) {  // created meanwhile by someone else
    meta = client.Topic(topic);
    if (!meta.ok()) return meta.status();
    if (partitions != nullptr) *partitions = static_cast<int32_t>(meta->partitions.size());
    return Status::Ok();
  }
  if (s.ok()) {
    if (partitions != nullptr) *partitions = spec.partitions;
    if (created != nullptr) *created = true;
  }
  return s;
}

std::vector<Property> ProducerDefaults(const ProduceOptions& options) {
  return {
      {"partitioner", options.partitioner},
      {"compression.codec", options.compression},
      {"linger.ms", std::to_string(options.linger_ms)},
      // A record that cannot be delivered fails the run within this bound
      // rather than librdkafka's 5 minutes.
      {"message.timeout.ms", "30000"},
  };
}

void InstallDeliveryCallback(rd_kafka_conf_t* conf) {
  rd_kafka_conf_set_dr_msg_cb(conf, &OnDelivery);
}

}  // namespace

Status ProduceAll(const ClusterConfig& config, const ProduceOptions& options,
                  std::string_view topic, const RecordSource& next, ProduceReport* report) {
  KQ_ASSIGN_OR_RETURN(std::unique_ptr<Client> client,
                      Client::Open(config, Client::Kind::kProducer, ProducerDefaults(options),
                                   &InstallDeliveryCallback));
  KQ_RETURN_IF_ERROR(PrepareTopic(*client, options, topic));

  DeliveryState state;
  state.topic = std::string(topic);
  Status pull_status;
  ProduceRecord record;
  uint64_t sent = 0;
  while (state.first_error.ok()) {
    Result<bool> more = next(&record);
    if (!more.ok()) {
      pull_status = more.status();
      break;
    }
    if (!*more) break;
    Status s = SendOne(*client, state, record);
    if (!s.ok()) {
      pull_status = std::move(s);
      break;
    }
    if (options.on_sent) {
      s = options.on_sent(record);
      if (!s.ok()) {
        pull_status = std::move(s);
        break;
      }
    }
    // Serve delivery reports now and then so the first failure stops us
    // early and the report stays small.
    if ((++sent & 63) == 0) rd_kafka_poll(client->handle(), 0);
  }
  // Every record handed over is either delivered or failed by
  // message.timeout.ms, so this returns.
  while (state.outstanding > 0) rd_kafka_flush(client->handle(), 1000);
  rd_kafka_poll(client->handle(), 0);
  if (report != nullptr) *report = state.report;
  if (!state.first_error.ok()) return state.first_error;
  return pull_status;
}

struct ClusterProducer::State : DeliveryState {};

Result<std::unique_ptr<ClusterProducer>> ClusterProducer::Open(const ClusterConfig& config,
                                                               const ProduceOptions& options,
                                                               std::string_view topic) {
  std::unique_ptr<ClusterProducer> p(new ClusterProducer());
  KQ_ASSIGN_OR_RETURN(p->client_,
                      Client::Open(config, Client::Kind::kProducer, ProducerDefaults(options),
                                   &InstallDeliveryCallback));
  p->state_ = std::make_unique<State>();
  p->state_->topic = std::string(topic);
  KQ_RETURN_IF_ERROR(PrepareTopic(*p->client_, options, topic, &p->partition_count_,
                                  &p->state_->report.created_topic));
  return p;
}

ClusterProducer::~ClusterProducer() {
  // Records still queued are abandoned (Finish was not called: an error path).
  if (client_ != nullptr && state_ != nullptr) {
    rd_kafka_purge(client_->handle(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(client_->handle(), 0);
  }
}

const std::string& ClusterProducer::topic() const { return state_->topic; }

const ProduceReport& ClusterProducer::report() const { return state_->report; }

Status ClusterProducer::Send(const ProduceRecord& record) {
  KQ_RETURN_IF_ERROR(SendOne(*client_, *state_, record));
  if ((++sent_ & 63) == 0) rd_kafka_poll(client_->handle(), 0);
  return state_->first_error;
}

Status ClusterProducer::Poll() {
  rd_kafka_poll(client_->handle(), 0);
  return state_->first_error;
}

Status ClusterProducer::Flush() {
  while (state_->outstanding > 0) rd_kafka_flush(client_->handle(), 1000);
  rd_kafka_poll(client_->handle(), 0);
  return state_->first_error;
}

Status ClusterProducer::Finish(ProduceReport* report) {
  Status s = Flush();
  if (report != nullptr) *report = state_->report;
  return s;
}

}  // namespace kq::kafka
