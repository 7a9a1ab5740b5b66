// See client.h for which librdkafka calls are used and why.
#include "kafka/client.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace kq::kafka {
namespace {

Status::Code CodeFor(rd_kafka_resp_err_t err) {
  switch (err) {
    case RD_KAFKA_RESP_ERR_NO_ERROR:
      return Status::Code::kOk;
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
    case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
    case RD_KAFKA_RESP_ERR__NOENT:
      return Status::Code::kNotFound;
    case RD_KAFKA_RESP_ERR_TOPIC_EXCEPTION:
    case RD_KAFKA_RESP_ERR_INVALID_PARTITIONS:
    case RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR:
    case RD_KAFKA_RESP_ERR_INVALID_CONFIG:
    case RD_KAFKA_RESP_ERR_INVALID_REQUEST:
    case RD_KAFKA_RESP_ERR_POLICY_VIOLATION:
    case RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD:
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_INVALID_GROUP_ID:
      return Status::Code::kInvalidArgument;
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_VERSION:
    case RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE:
    case RD_KAFKA_RESP_ERR_UNSUPPORTED_COMPRESSION_TYPE:
    case RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED:
      return Status::Code::kNotSupported;
    case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_UNKNOWN_MEMBER_ID:
    case RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION:
    case RD_KAFKA_RESP_ERR_GROUP_SUBSCRIBED_TO_TOPIC:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
      return Status::Code::kBusy;
    case RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS:
      return Status::Code::kConflict;
    case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
      return Status::Code::kOutOfRange;
    default:
      // Timeouts, transport failures, authorization: the world outside
      // failed, not kq.
      return Status::Code::kIoError;
  }
}

bool IsReachFailure(rd_kafka_resp_err_t err) {
  return err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TRANSPORT ||
         err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN || err == RD_KAFKA_RESP_ERR__RESOLVE;
}

}  // namespace

Result<Property> ParseProperty(std::string_view text) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return Status::InvalidArgument(fmt::format("-X: '{}' is not key=value", text));
  }
  return Property(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

Status ErrorStatus(rd_kafka_resp_err_t err, std::string_view context) {
  return ErrorStatus(err, context, rd_kafka_err2str(err));
}

Status ErrorStatus(rd_kafka_resp_err_t err, std::string_view context, const char* text) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  std::string_view detail = (text != nullptr && *text != '\0') ? text : rd_kafka_err2str(err);
  return Status::FromCode(CodeFor(err), fmt::format("{}: {}", context, detail));
}

Status ErrorStatus(const rd_kafka_error_t* err, std::string_view context) {
  if (err == nullptr) return Status::Ok();
  return ErrorStatus(rd_kafka_error_code(err), context, rd_kafka_error_string(err));
}

std::string PartitionName(std::string_view topic, int32_t partition) {
  return fmt::format("{}-{}", topic, partition);
}

Result<std::unique_ptr<Client>> Client::Open(
    const ClusterConfig& config, Kind kind, const std::vector<Property>& defaults,
    const std::function<void(rd_kafka_conf_t*)>& customize) {
  if (config.brokers.empty()) {
    return Status::InvalidArgument("-b/--brokers: no broker address given");
  }
  std::unique_ptr<Client> client(new Client());
  client->kind_ = kind;
  client->timeout_ms_ = config.timeout_ms;
  client->brokers_ = config.brokers;

  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char errstr[512];
  std::string timeout = std::to_string(config.timeout_ms);
  // Our defaults bound every wait, so a wrong -b fails instead of retrying
  // forever; they come before the caller's and the user's properties.
  std::vector<Property> all = {
      {"bootstrap.servers", config.brokers},
      {"client.id", "kq"},
      {"socket.connection.setup.timeout.ms", timeout},
      {"socket.timeout.ms", timeout},
      {"log.connection.close", "false"},
  };
  all.insert(all.end(), defaults.begin(), defaults.end());
  all.insert(all.end(), config.properties.begin(), config.properties.end());
  for (const auto& [key, value] : all) {
    if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status::InvalidArgument(fmt::format("-X {}={}: {}", key, value, errstr));
    }
  }
  client->verbose_ = config.verbose;
  rd_kafka_conf_set_log_cb(conf, &Client::OnLog);
  rd_kafka_conf_set_error_cb(conf, &Client::OnError);
  if (customize) customize(conf);
  rd_kafka_conf_set_opaque(conf, client.get());

  rd_kafka_type_t type = kind == Kind::kProducer ? RD_KAFKA_PRODUCER : RD_KAFKA_CONSUMER;
  client->rk_ = rd_kafka_new(type, conf, errstr, sizeof(errstr));  // owns conf on success
  if (client->rk_ == nullptr) {
    rd_kafka_conf_destroy(conf);
    return Status::InvalidArgument(fmt::format("cannot create a Kafka client: {}", errstr));
  }
  return client;
}

Client::~Client() {
  if (rk_ == nullptr) return;
  if (kind_ == Kind::kConsumer) {
    if (leave_group_on_destroy_) {
      // Revokes (our rebalance_cb commits) and leaves the group, so the
      // next member gets the partitions at once.
      rd_kafka_consumer_close(rk_);
    } else {
      rd_kafka_destroy_flags(rk_, RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
      return;
    }
  } else {
    // Records not yet delivered are dropped: ProduceAll flushes on success,
    // so anything left here belongs to a failed run.
    rd_kafka_purge(rk_, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    rd_kafka_poll(rk_, 0);
  }
  rd_kafka_destroy(rk_);
}

void Client::OnError(rd_kafka_t* /*rk*/, int err, const char* reason, void* opaque) {
  auto* self = static_cast<Client*>(opaque);
  std::lock_guard<std::mutex> lock(self->mu_);
  self->last_error_ =
      reason != nullptr ? reason : rd_kafka_err2str(static_cast<rd_kafka_resp_err_t>(err));
}

void Client::OnLog(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
  auto* self = static_cast<Client*>(rd_kafka_opaque(rk));
  if (self == nullptr) return;
  if (self->verbose_ >= 2) fmt::print(stderr, "librdkafka: {}: {}\n", fac, buf);
  // Connection failures are logged from librdkafka's broker threads at once,
  // while error_cb waits for a poll: keep the latest as the reason to give.
  if (level <= 4 && std::string_view(fac) == "FAIL") {
    std::string_view text(buf);
    // "[thrd:host:port/bootstrap]: host:port/bootstrap: Connect to ... failed:
    // Connection refused (after 0ms in state CONNECT)": keep the middle.
    if (text.starts_with("[thrd:")) {
      size_t end = text.find("]: ");
      if (end != std::string_view::npos) text.remove_prefix(end + 3);
    }
    if (size_t paren = text.rfind(" (after "); paren != std::string_view::npos) {
      text = text.substr(0, paren);
    }
    std::lock_guard<std::mutex> lock(self->mu_);
    self->last_error_ = std::string(text);
  }
}

std::string Client::LastError() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_error_;
}

Status Client::Unreachable(rd_kafka_resp_err_t err, std::string_view context,
                           const char* detail) const {
  if (!IsReachFailure(err)) return ErrorStatus(err, context, detail);
  std::string why = LastError();
  if (why.empty() && err != RD_KAFKA_RESP_ERR__TIMED_OUT) {
    why = detail != nullptr ? detail : rd_kafka_err2str(err);
  }
  if (why.empty()) {
    // Connected, but the answer never came (e.g. no controller).
    return Status::IoError(fmt::format("{}: no answer from the cluster at '{}' within {} ms: {}",
                                       context, brokers_, timeout_ms_,
                                       detail != nullptr ? detail : rd_kafka_err2str(err)));
  }
  return Status::IoError(fmt::format("{}: cannot reach the cluster at '{}' within {} ms: {}",
                                     context, brokers_, timeout_ms_, why));
}

Result<std::vector<TopicMetadata>> Client::Topics() {
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk_, 1, nullptr, &md, timeout_ms_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return Unreachable(err, "metadata");
  std::vector<TopicMetadata> topics;
  topics.reserve(static_cast<size_t>(std::max(md->topic_cnt, 0)));
  for (int i = 0; i < md->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = md->topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR && t.partition_cnt == 0) continue;
    TopicMetadata topic;
    topic.name = t.topic;
    topic.internal = topic.name.starts_with("__");
    std::vector<std::pair<int32_t, int32_t>> parts;
    for (int p = 0; p < t.partition_cnt; ++p) {
      parts.emplace_back(t.partitions[p].id, t.partitions[p].leader);
    }
    std::sort(parts.begin(), parts.end());
    for (const auto& [id, leader] : parts) {
      topic.partitions.push_back(id);
      topic.leaders.push_back(leader);
    }
    topics.push_back(std::move(topic));
  }
  rd_kafka_metadata_destroy(md);
  std::sort(topics.begin(), topics.end(),
            [](const TopicMetadata& a, const TopicMetadata& b) { return a.name < b.name; });
  return topics;
}

Result<TopicMetadata> Client::Topic(std::string_view name) {
  KQ_ASSIGN_OR_RETURN(std::vector<TopicMetadata> topics, Topics());
  for (TopicMetadata& t : topics) {
    if (t.name == name) return std::move(t);
  }
  return Status::NotFound(fmt::format("topic '{}' does not exist at '{}'", name, brokers_));
}

Result<std::pair<int64_t, int64_t>> Client::Watermarks(std::string_view topic, int32_t partition) {
  int64_t low = -1;
  int64_t high = -1;
  std::string name(topic);
  rd_kafka_resp_err_t err =
      rd_kafka_query_watermark_offsets(rk_, name.c_str(), partition, &low, &high, timeout_ms_);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unreachable(err, fmt::format("watermarks of {}", PartitionName(topic, partition)));
  }
  return std::make_pair(low, high);
}

Result<EventPtr> Client::Admin(
    rd_kafka_admin_op_t op, std::string_view context,
    const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& start) {
  rd_kafka_AdminOptions_t* options = rd_kafka_AdminOptions_new(rk_, op);
  char errstr[256];
  rd_kafka_AdminOptions_set_request_timeout(options, timeout_ms_, errstr, sizeof(errstr));
  // Only some ops take an operation timeout (how long the controller waits
  // for the change to spread); for the others this fails harmlessly.
  rd_kafka_AdminOptions_set_operation_timeout(options, timeout_ms_, errstr, sizeof(errstr));
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk_);
  start(options, queue);
  // librdkafka enforces the request timeout itself; the margin only guards
  // against a lost event.
  EventPtr event(rd_kafka_queue_poll(queue, timeout_ms_ + 2000));
  rd_kafka_queue_destroy(queue);
  rd_kafka_AdminOptions_destroy(options);
  if (!event) {
    return Unreachable(RD_KAFKA_RESP_ERR__TIMED_OUT, context);
  }
  rd_kafka_resp_err_t err = rd_kafka_event_error(event.get());
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Unreachable(err, context, rd_kafka_event_error_string(event.get()));
  }
  return event;
}

}  // namespace kq::kafka
