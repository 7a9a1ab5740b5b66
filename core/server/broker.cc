#include "server/broker.h"

#include <fmt/format.h>

#include <uv.h>

#include <chrono>

#include "log/topic_name.h"
#include "protocol/error_codes.h"
#include "protocol/messages/api_versions.h"
#include "server/handlers.h"
#include "server/server_log.h"

namespace kq::server {

using protocol::ApiKey;

const std::vector<AdvertisedApi>& AdvertisedApis() {
  // Produce from 3 and Fetch from 4 would do for RecordBatch v2, but
  // librdkafka enables features only when the ranges overlap old versions
  // too (kafka-format-and-protocol.md, 6.5), so every API starts at 0.
  // Fetch stops at 12 and Metadata's topic ids stay zero: topics have no ids.
  // Each entry names its handler, so what is advertised is what is served.
  static const std::vector<AdvertisedApi> apis = {
      {ApiKey::kProduce, 0, 9, HandleProduce},
      {ApiKey::kFetch, 0, 12, HandleFetch},
      {ApiKey::kListOffsets, 0, 6, HandleListOffsets},
      {ApiKey::kMetadata, 0, 12, HandleMetadata},
      {ApiKey::kFindCoordinator, 0, 4, HandleFindCoordinator},
      {ApiKey::kApiVersions, 0, 3, HandleApiVersions},
      {ApiKey::kCreateTopics, 0, 7, HandleCreateTopics},
      {ApiKey::kDeleteTopics, 0, 6, HandleDeleteTopics},
      {ApiKey::kInitProducerId, 0, 4, HandleInitProducerId},
      {ApiKey::kOffsetForLeaderEpoch, 0, 4, HandleOffsetForLeaderEpoch},
      {ApiKey::kDescribeConfigs, 0, 4, HandleDescribeConfigs},
      {ApiKey::kCreatePartitions, 0, 3, HandleCreatePartitions},
      {ApiKey::kAlterConfigs, 0, 2, HandleAlterConfigs},
      {ApiKey::kIncrementalAlterConfigs, 0, 1, HandleIncrementalAlterConfigs},
      {ApiKey::kDeleteRecords, 0, 2, HandleDeleteRecords},
      {ApiKey::kDescribeCluster, 0, 1, HandleDescribeCluster},
      {ApiKey::kJoinGroup, 0, 7, HandleJoinGroup},
      {ApiKey::kSyncGroup, 0, 5, HandleSyncGroup},
      {ApiKey::kHeartbeat, 0, 4, HandleHeartbeat},
      {ApiKey::kLeaveGroup, 0, 5, HandleLeaveGroup},
      {ApiKey::kOffsetCommit, 0, 8, HandleOffsetCommit},
      {ApiKey::kOffsetFetch, 0, 8, HandleOffsetFetch},
      {ApiKey::kOffsetDelete, 0, 0, HandleOffsetDelete},
      {ApiKey::kListGroups, 0, 4, HandleListGroups},
      {ApiKey::kDescribeGroups, 0, 5, HandleDescribeGroups},
      {ApiKey::kDeleteGroups, 0, 2, HandleDeleteGroups},
      // After a v0 handshake a client sends raw SASL tokens outside Kafka's
      // framing, which kq-serve does not read (the connection closes);
      // librdkafka needs v0 listed to use SASL at all, then sends v1 and
      // SaslAuthenticate, as every client since Kafka 1.0 does.
      {ApiKey::kSaslHandshake, 0, 1, HandleSaslHandshake},
      {ApiKey::kSaslAuthenticate, 0, 2, HandleSaslAuthenticate},
  };
  return apis;
}

const AdvertisedApi* FindAdvertised(int16_t api_key) {
  for (const auto& api : AdvertisedApis())
    if (static_cast<int16_t>(api.key) == api_key) return &api;
  return nullptr;
}

Result<std::unique_ptr<Broker>> Broker::Create(uv_loop_s* loop, const ServerConfig& config,
                                               log::LogDir log_dir) {
  std::unique_ptr<Broker> broker(new Broker(loop, config, std::move(log_dir)));
  KQ_ASSIGN_OR_RETURN(broker->fetch_waiters_, FetchWaiters::Create(loop));
  broker->flush_queue_ = std::make_unique<FlushQueue>(loop, &broker->partitions_);
  broker->replicas_ = std::make_unique<ReplicaTracker>(
      loop, broker->log_dir_.env(), &broker->partitions_, broker->fetch_waiters_.get(),
      config.GetInt("replica.lag.time.max.ms"));
  KQ_ASSIGN_OR_RETURN(broker->producer_ids_,
                      ProducerIds::Open(broker->log_dir_.env(), broker->log_dir_.path()));
  KQ_ASSIGN_OR_RETURN(auto store,
                      groups::OffsetsStore::Open(broker->log_dir_.env(), broker->log_dir_.path()));
  coordinator::CoordinatorOptions options;
  options.env = broker->log_dir_.env();
  options.log_dir = broker->log_dir_.path();
  options.group_min_session_timeout_ms =
      static_cast<int32_t>(config.GetInt("group.min.session.timeout.ms"));
  options.group_max_session_timeout_ms =
      static_cast<int32_t>(config.GetInt("group.max.session.timeout.ms"));
  options.group_initial_rebalance_delay_ms =
      static_cast<int32_t>(config.GetInt("group.initial.rebalance.delay.ms"));
  options.offsets_retention_ms = config.GetInt("offsets.retention.minutes") * 60 * 1000;
  broker->coordinator_ =
      std::make_unique<coordinator::GroupCoordinator>(std::move(options), std::move(store));
  broker->cleaner_ = std::make_unique<BackgroundCleaner>(
      loop, broker->log_dir_, config.GetInt("log.retention.check.interval.ms"),
      config.GetBool("log.cleaner.enable"));
  broker->cleaner_->Start();
  broker->coordinator_timer_ = new uv_timer_t;
  uv_timer_init(loop, broker->coordinator_timer_);
  broker->coordinator_timer_->data = broker.get();
  return broker;
}

Broker::Broker(uv_loop_s* loop, const ServerConfig& config, log::LogDir log_dir)
    : loop_(loop),
      config_(config),
      log_dir_(std::move(log_dir)),
      advertised_(config.advertised()),
      max_message_bytes_(config.GetInt("message.max.bytes")),
      partitions_(&log_dir_) {}

Broker::~Broker() {
  (void)Shutdown();
  if (coordinator_timer_ != nullptr)
    uv_close(reinterpret_cast<uv_handle_t*>(coordinator_timer_),
             [](uv_handle_t* h) { delete reinterpret_cast<uv_timer_t*>(h); });
}

void Broker::ArmCoordinatorTimer() {
  std::optional<int64_t> next = coordinator_->NextDeadline();
  if (!next) {
    uv_timer_stop(coordinator_timer_);
    return;
  }
  int64_t now = log_dir_.env()->NowMs();
  uv_timer_start(
      coordinator_timer_,
      [](uv_timer_t* t) {
        auto* self = static_cast<Broker*>(t->data);
        self->coordinator_->Tick(self->log_dir_.env()->NowMs());
        self->ArmCoordinatorTimer();
      },
      static_cast<uint64_t>(std::max<int64_t>(*next - now, 0)), 0);
}

void Broker::AnswerWaiting() {
  if (coordinator_) coordinator_->Shutdown();
  if (fetch_waiters_) fetch_waiters_->ExpireAll();
  if (flush_queue_) flush_queue_->FlushNow();
  if (replicas_) replicas_->AnswerAll();
}

Status Broker::Shutdown() {
  AnswerWaiting();
  cleaner_.reset();  // waits for a round in progress
  return partitions_.CloseAll();
}

Result<log::TopicInfo> Broker::AutoCreateTopic(const std::string& topic) {
  KQ_RETURN_IF_ERROR(log::ValidateTopicName(topic));
  // Internal topics are made by their owners (the offsets store), with
  // their own shape, never by a client's Metadata or Produce.
  if (IsInternalTopic(topic))
    return Status::NotFound(fmt::format("internal topic '{}' does not exist", topic));
  log::TopicConfig defaults;
  return log_dir_.EnsureTopic(topic, static_cast<int32_t>(config_.GetInt("num.partitions")),
                              defaults);
}

void Broker::Handle(const std::shared_ptr<ConnectionInfo>& connection, std::string frame,
                    Respond respond) {
  auto request = std::make_shared<Request>();
  request->frame = std::move(frame);
  request->connection = connection;
  request->respond = std::move(respond);
  auto body_offset = protocol::DecodeRequestHeader(request->frame, &request->header);
  if (!body_offset.ok()) {
    // No correlation id to answer with: Kafka closes the connection too.
    LogEvent(LogLevel::kWarn, "bad_request",
             {{"conn", std::to_string(connection->id)},
              {"peer", connection->peer},
              {"error", body_offset.status().ToString()}});
    return request->CloseConnection();
  }
  request->body_offset = *body_offset;
  // Counted under the API's name, with the time to the answer.
  request->metrics = &metrics_;
  request->api_name = protocol::ApiName(static_cast<ApiKey>(request->header.api_key));
  metrics_.CountRequest(request->api_name, request->frame.size() + 4);
  auto started = std::chrono::steady_clock::now();
  request->respond = [this, api = request->api_name, started,
                      respond = std::move(request->respond)](Response response) {
    uint64_t bytes = 0;
    for (const auto& c : response.chunks) bytes += c.size();
    metrics_.CountResponse(
        api, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(),
        bytes);
    respond(std::move(response));
  };
  Dispatch(request);
}

void Broker::Dispatch(const RequestPtr& request) {
  const auto& header = request->header;
  LogEvent(LogLevel::kDebug, "request",
           {{"conn", std::to_string(request->connection->id)},
            {"api", std::string(protocol::ApiName(static_cast<ApiKey>(header.api_key)))},
            {"version", std::to_string(header.api_version)},
            {"correlation_id", std::to_string(header.correlation_id)},
            {"client_id", header.client_id.value_or("")}});
  const AdvertisedApi* api = FindAdvertised(header.api_key);
  bool version_ok = api != nullptr && header.api_version >= api->min_version &&
                    header.api_version <= api->max_version;
  if (header.api_key == static_cast<int16_t>(ApiKey::kApiVersions) && !version_ok) {
    // Kafka's rule: a too-new ApiVersions gets UNSUPPORTED_VERSION in a v0
    // body that lists the versions, so the client retries with one it has.
    return HandleApiVersions(*this, request);
  }
  if (!version_ok) {
    LogEvent(LogLevel::kWarn, "unsupported_api",
             {{"conn", std::to_string(request->connection->id)},
              {"peer", request->connection->peer},
              {"api_key", std::to_string(header.api_key)},
              {"api_version", std::to_string(header.api_version)}});
    return request->CloseConnection();
  }
  if (users_ && !request->connection->authenticated && api->key != ApiKey::kApiVersions &&
      api->key != ApiKey::kSaslHandshake && api->key != ApiKey::kSaslAuthenticate) {
    LogEvent(LogLevel::kWarn, "unauthenticated_request",
             {{"conn", std::to_string(request->connection->id)},
              {"peer", request->connection->peer},
              {"api", std::string(protocol::ApiName(api->key))}});
    return request->CloseConnection();
  }
  api->handler(*this, request);
}

Result<PartitionProducers*> Broker::Producers(const std::string& topic, int32_t partition,
                                              log::Partition* p) {
  auto key = std::make_pair(topic, partition);
  if (auto it = producers_.find(key); it != producers_.end()) return it->second.get();
  KQ_ASSIGN_OR_RETURN(auto state, PartitionProducers::Rebuild(p));
  PartitionProducers* raw = state.get();
  producers_.emplace(std::move(key), std::move(state));
  return raw;
}

void Broker::ForgetTopic(const std::string& topic) {
  partitions_.Forget(topic);
  if (replicas_) replicas_->Forget(topic);
  for (auto it = producers_.begin(); it != producers_.end();)
    it = it->first.first == topic ? producers_.erase(it) : std::next(it);
}

void Broker::CollectGauges(std::vector<Metrics::Sample>* out) {
  std::vector<Metrics::Sample> starts;
  partitions_.ForEach([&](const std::string& topic, int32_t partition, log::Partition* p) {
    (void)p->Refresh();
    std::vector<std::pair<std::string, std::string>> labels = {
        {"topic", topic}, {"partition", std::to_string(partition)}};
    out->push_back(
        {"kq_partition_log_end_offset", labels, static_cast<double>(p->log_end_offset().value())});
    starts.push_back({"kq_partition_log_start_offset", labels,
                      static_cast<double>(p->log_start_offset().value())});
  });
  out->insert(out->end(), starts.begin(), starts.end());
  // Lag of every group with committed offsets, against the partitions' ends.
  for (const auto& group : coordinator_->ListGroups({}).groups) {
    auto fetched = coordinator_->FetchOffsets({group.group_id, std::nullopt});
    for (const auto& f : fetched.partitions) {
      if (f.offset < 0) continue;
      auto p = partitions_.Get(f.tp.topic, f.tp.partition);
      if (!p.ok()) continue;
      out->push_back(
          {"kq_group_lag",
           {{"group", group.group_id},
            {"topic", f.tp.topic},
            {"partition", std::to_string(f.tp.partition)}},
           static_cast<double>(std::max<int64_t>((*p)->log_end_offset().value() - f.offset, 0))});
    }
  }
}

void LogRequestError(const Request& request, std::string_view what, const Status& status) {
  LogEvent(LogLevel::kWarn, "request_error",
           {{"conn", std::to_string(request.connection->id)},
            {"peer", request.connection->peer},
            {"api", std::string(protocol::ApiName(static_cast<ApiKey>(request.header.api_key)))},
            {"version", std::to_string(request.header.api_version)},
            {"what", std::string(what)},
            {"error", status.ToString()}});
}

}  // namespace kq::server
