// kq's Kafka cluster client (the kq_kafka library, the only part of kq that
// links librdkafka): a small RAII layer over librdkafka's C API, shared by
// produce.h, consume.h, admin.h and groups.h. The tools' -b/--brokers mode
// uses it; its interfaces speak core types (client/consumer.h), not the
// CLI's.
//
// librdkafka calls used here and why:
//   rd_kafka_conf_new / rd_kafka_conf_set   build the configuration: our
//       defaults first, then every -X key=value in order (kcat's
//       passthrough), so a user can override anything we chose.
//   rd_kafka_conf_set_error_cb / _log_cb    librdkafka reports connection
//       failures asynchronously (error_cb only when polled; the "FAIL" log
//       line at once) and logs to stderr by default; we keep the last
//       failure so a failed call can say *why* ("Connection refused")
//       instead of only "Local: Timed out", and keep logs off the terminal
//       unless -vv.
//   rd_kafka_new / rd_kafka_destroy         the handle, owned by Client.
//   rd_kafka_metadata                       the first round trip of every
//       operation: it proves the brokers are reachable within the timeout
//       (librdkafka itself would retry forever) and lists topics. It asks for
//       all topics, because asking for one named topic lets a broker with
//       auto.create.topics.enable create it as a side effect.
//   rd_kafka_err2str / rd_kafka_error_*     the error mapping below.
//
// Thread safety: a Client may be used from one thread at a time; librdkafka
// runs its own threads behind it. Free functions are thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "base/result.h"
#include "base/status.h"

namespace kq::kafka {

using Property = std::pair<std::string, std::string>;

// Where the cluster is and how to talk to it (the tools build it from
// -b/$KQ_BROKERS, -X and -v).
struct ClusterConfig {
  std::string brokers;               // "host:port,host:port" (bootstrap.servers)
  std::vector<Property> properties;  // -X key=value, applied after our defaults
  // Bound for every blocking step (connecting, metadata, admin requests,
  // watermark queries). The default keeps a wrong -b under 10 s in total.
  int timeout_ms = 6000;
  int verbose = 0;  // >= 2: librdkafka's logs go to stderr
};

// Parses one -X argument "key=value" (the value may contain '='; it may be
// empty). Errors are InvalidArgument: "-X: 'foo' is not key=value".
Result<Property> ParseProperty(std::string_view text);

// The kq::Status for a librdkafka error code: NotFound for unknown topics,
// partitions and groups; InvalidArgument for invalid names, configs and
// sizes; NotSupported when the broker lacks the API; Busy for groups with
// members or in a rebalance; Conflict for "already exists"; OutOfRange for
// offsets; IoError for transport failures, timeouts and everything else.
// The message is "<context>: <librdkafka's text>", e.g.
//   "produce to orders-2: Broker: Unknown topic or partition".
// RD_KAFKA_RESP_ERR_NO_ERROR gives OK.
Status ErrorStatus(rd_kafka_resp_err_t err, std::string_view context);
// The same for an rd_kafka_error_t (its own string, which often carries the
// broker's message). Does not take ownership; null gives OK.
Status ErrorStatus(const rd_kafka_error_t* err, std::string_view context);
// The same code with an explicit text (e.g. an admin result's error string).
Status ErrorStatus(rd_kafka_resp_err_t err, std::string_view context, const char* text);

// "topic-partition", the way kq names a partition in messages.
std::string PartitionName(std::string_view topic, int32_t partition);

// Owning pointers for librdkafka objects the wrappers hand around.
struct EventDeleter {
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
};
using EventPtr = std::unique_ptr<rd_kafka_event_t, EventDeleter>;
struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const {
    rd_kafka_topic_partition_list_destroy(l);
  }
};
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

struct TopicMetadata {
  std::string name;
  std::vector<int32_t> partitions;  // partition ids, ascending
  std::vector<int32_t> leaders;     // leader broker id per partition (-1: none)
  bool internal = false;            // name starts with "__" (e.g. __consumer_offsets)
};

// Owns one rd_kafka_t. Not copyable or movable: librdkafka's callbacks hold
// its address. Destroying a consumer that joined a group closes it first
// (leaving the group; see set_leave_group_on_destroy).
class Client {
 public:
  enum class Kind { kProducer, kConsumer };

  // Creates the handle. `defaults` are set before ClusterConfig.properties,
  // so -X wins. `customize`, when given, is called on the configuration
  // last (to install dr_msg_cb or rebalance_cb; it must not set the
  // configuration's opaque, which is the Client). Errors: InvalidArgument
  // for an unknown or bad property (librdkafka's message names it), also
  // when brokers is empty. Creating a handle does no network I/O; Topics()
  // is the reachability check.
  static Result<std::unique_ptr<Client>> Open(
      const ClusterConfig& config, Kind kind, const std::vector<Property>& defaults = {},
      const std::function<void(rd_kafka_conf_t*)>& customize = {});

  // The Client that owns `rk` (for librdkafka callbacks).
  static Client* FromHandle(rd_kafka_t* rk) { return static_cast<Client*>(rd_kafka_opaque(rk)); }

  // A consumer that subscribed (joined a group) must leave it on destroy:
  // rd_kafka_consumer_close then. Others skip it, since closing a consumer
  // that never joined can wait on group state that never settles.
  void set_leave_group_on_destroy(bool leave) { leave_group_on_destroy_ = leave; }

  // Per-handle data for the caller's librdkafka callbacks (e.g. the consumer
  // loop's state for rebalance_cb). Not owned; null by default.
  void set_user_data(void* data) { user_data_ = data; }
  void* user_data() const { return user_data_; }
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  rd_kafka_t* handle() const { return rk_; }
  int timeout_ms() const { return timeout_ms_; }
  const std::string& brokers() const { return brokers_; }

  // Every topic of the cluster, sorted by name. An unreachable cluster fails
  // within timeout_ms with IoError "cannot reach the cluster at '<brokers>'
  // within N ms: <last connection error>".
  Result<std::vector<TopicMetadata>> Topics();
  // One topic's metadata; NotFound "topic 'x' does not exist at '<brokers>'".
  Result<TopicMetadata> Topic(std::string_view name);

  // (low, high) watermarks of one partition: high is the offset the next
  // record will get. Asks the leader (no cache).
  Result<std::pair<int64_t, int64_t>> Watermarks(std::string_view topic, int32_t partition);

  // Runs one admin request: `start(options, queue)` must call one
  // rd_kafka_<Op>(handle(), ..., options, queue). Waits for the result event
  // at most timeout_ms plus a margin. Errors: the event's own error (with
  // the "cannot reach" form for timeouts), prefixed by `context`.
  // The caller then reads per-item results from the event.
  Result<EventPtr> Admin(
      rd_kafka_admin_op_t op, std::string_view context,
      const std::function<void(rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>& start);

  // The most recent asynchronous error librdkafka reported (error_cb), or "".
  std::string LastError() const;
  // Wraps a failure of a blocking call: timeouts and transport errors get the
  // "cannot reach" message with LastError(); others go through ErrorStatus.
  // `detail` (may be null) is librdkafka's text for this failure, used when
  // no connection error was seen ("no answer from ..." then).
  Status Unreachable(rd_kafka_resp_err_t err, std::string_view context,
                     const char* detail = nullptr) const;

 private:
  Client() = default;
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  static void OnLog(const rd_kafka_t* rk, int level, const char* fac, const char* buf);

  rd_kafka_t* rk_ = nullptr;
  Kind kind_ = Kind::kProducer;
  int timeout_ms_ = 0;
  int verbose_ = 0;
  std::string brokers_;
  void* user_data_ = nullptr;
  bool leave_group_on_destroy_ = false;
  mutable std::mutex mu_;
  std::string last_error_;  // guarded by mu_
};

}  // namespace kq::kafka
