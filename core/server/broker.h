// Broker: what a request means. It decodes each request's header, checks the
// API and version against what kq-serve implements, enforces SASL, and hands
// the request to its handler (handlers/*.cc). Everything runs on the loop
// thread; handlers that must wait (long-poll Fetch, acks after a flush)
// park the request and answer from a callback.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "coordinator/group_coordinator.h"
#include "log/log_dir.h"
#include "protocol/api_keys.h"
#include "server/access.h"
#include "server/background_cleaner.h"
#include "server/connection.h"
#include "server/fetch_waiters.h"
#include "server/metrics.h"
#include "server/flush_queue.h"
#include "server/partition_manager.h"
#include "server/producer_state.h"
#include "server/replica_tracker.h"
#include "server/request.h"
#include "server/server_config.h"

struct uv_loop_s;
struct uv_timer_s;

namespace kq::server {

class Broker;
struct Request;
using RequestHandlerFn = void (*)(Broker& broker, const std::shared_ptr<Request>& request);

// The versions kq-serve implements, per API, and the handler that serves
// them: what ApiVersions advertises.
struct AdvertisedApi {
  protocol::ApiKey key;
  int16_t min_version;
  int16_t max_version;
  RequestHandlerFn handler;
};
const std::vector<AdvertisedApi>& AdvertisedApis();
const AdvertisedApi* FindAdvertised(int16_t api_key);

class Broker : public RequestHandler {
 public:
  static Result<std::unique_ptr<Broker>> Create(uv_loop_s* loop, const ServerConfig& config,
                                                log::LogDir log_dir);
  ~Broker() override;

  void Handle(const std::shared_ptr<ConnectionInfo>& connection, std::string frame,
              Respond respond) override;

  // Answers every parked request now: fetches with what they have, produces
  // after a final flush, group joins and syncs with NOT_COORDINATOR.
  void AnswerWaiting();
  // AnswerWaiting, then waits for a background cleanup round, and syncs and
  // closes the partitions.
  Status Shutdown();

  // --- state the handlers share ---------------------------------------------
  uv_loop_s* loop() const { return loop_; }
  const ServerConfig& config() const { return config_; }
  log::LogDir& log_dir() { return log_dir_; }
  PartitionManager& partitions() { return partitions_; }
  FetchWaiters& fetch_waiters() { return *fetch_waiters_; }
  FlushQueue& flush_queue() { return *flush_queue_; }
  ReplicaTracker& replicas() { return *replicas_; }
  ProducerIds& producer_ids() { return *producer_ids_; }
  coordinator::GroupCoordinator& coordinator() { return *coordinator_; }
  Metrics& metrics() { return metrics_; }
  // Partition offsets and group lag, read when the metrics page is rendered.
  void CollectGauges(std::vector<Metrics::Sample>* out);
  // Re-arms the one timer that drives the coordinator's deadlines; call
  // after every coordinator call.
  void ArmCoordinatorTimer();
  int32_t node_id() const { return config_.node_id(); }
  const HostPort& advertised() const { return advertised_; }
  int64_t max_message_bytes() const { return max_message_bytes_; }  // message.max.bytes
  // SASL/PLAIN users (connections must authenticate) and ACLs (what each
  // user may do); either may be absent.
  void SetAccess(std::optional<Users> users, std::optional<Acl> acl) {
    users_ = std::move(users);
    acl_ = std::move(acl);
  }
  const Users* users() const { return users_ ? &*users_ : nullptr; }
  // Whether the request's principal may do `op` on the resource: always,
  // without an ACL file.
  bool Allowed(const Request& request, Operation op, ResourceType type,
               std::string_view name) const {
    return !acl_ || acl_->Allows(request.connection->principal, op, type, name);
  }
  bool AllowedAnyWrite(const Request& request) const {
    return !acl_ || acl_->AllowsAnyWrite(request.connection->principal);
  }
  // Once listening: a listener on port 0 advertises the port it got.
  void SetListeningPort(uint16_t port) {
    if (!config_.IsSet("advertised.listeners")) advertised_.port = port;
  }

  // Creates `topic` with the broker's defaults when auto.create.topics.enable
  // allows it; the result is the topic's metadata.
  Result<log::TopicInfo> AutoCreateTopic(const std::string& topic);
  // The idempotent-producer state of an open partition, rebuilt from its log
  // on first use.
  Result<PartitionProducers*> Producers(const std::string& topic, int32_t partition,
                                        log::Partition* p);
  // Drops open partitions and producer state of a deleted or recreated topic.
  void ForgetTopic(const std::string& topic);

 private:
  Broker(uv_loop_s* loop, const ServerConfig& config, log::LogDir log_dir);
  void Dispatch(const RequestPtr& request);

  uv_loop_s* loop_;
  ServerConfig config_;
  log::LogDir log_dir_;
  HostPort advertised_;
  int64_t max_message_bytes_;
  PartitionManager partitions_;
  std::unique_ptr<FetchWaiters> fetch_waiters_;
  std::unique_ptr<FlushQueue> flush_queue_;
  std::unique_ptr<ReplicaTracker> replicas_;
  std::unique_ptr<ProducerIds> producer_ids_;
  std::map<std::pair<std::string, int32_t>, std::unique_ptr<PartitionProducers>> producers_;
  std::unique_ptr<coordinator::GroupCoordinator> coordinator_;
  std::unique_ptr<BackgroundCleaner> cleaner_;
  Metrics metrics_;
  std::optional<Users> users_;
  std::optional<Acl> acl_;
  uv_timer_s* coordinator_timer_ = nullptr;
};

// Kafka's internal topics: listed as internal, never auto-created, not
// writable by clients.
inline bool IsInternalTopic(std::string_view name) {
  return name == "__consumer_offsets" || name == "__transaction_state";
}

// One log line for a request that failed in a way the client sees only as an
// error code.
void LogRequestError(const Request& request, std::string_view what, const Status& status);

}  // namespace kq::server
