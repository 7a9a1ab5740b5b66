// A librdkafka mock cluster for the cluster-mode tests (tests/core/kafka/).
//
// rd_kafka_mock_cluster_new needs a handle; the simplest owner is a producer
// configured with test.mock.num.brokers, whose mock cluster
// (rd_kafka_handle_mock_cluster) listens on 127.0.0.1 only. The mock speaks
// Produce, Fetch, ListOffsets, Metadata and the group APIs (JoinGroup,
// SyncGroup, OffsetCommit, OffsetFetch, ...), but not CreateTopics,
// DeleteTopics, DescribeConfigs, DeleteRecords or DescribeGroups: tests
// create topics through rd_kafka_mock_topic_create and check that the admin
// calls the mock lacks fail with a clear message in bounded time.
#pragma once

#include <string>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "kafka/client.h"

namespace kq::testing {

class MockKafkaCluster {
 public:
  explicit MockKafkaCluster(int brokers = 1) {
    char errstr[256];
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "test.mock.num.brokers", std::to_string(brokers).c_str(), errstr,
                      sizeof(errstr));
    // The mock's own "Mock cluster enabled" notice is noise in test output.
    rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
    rk_ = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
    mcluster_ = rk_ != nullptr ? rd_kafka_handle_mock_cluster(rk_) : nullptr;
  }
  ~MockKafkaCluster() {
    if (rk_ != nullptr) rd_kafka_destroy(rk_);
  }
  MockKafkaCluster(const MockKafkaCluster&) = delete;
  MockKafkaCluster& operator=(const MockKafkaCluster&) = delete;

  bool ok() const { return mcluster_ != nullptr; }
  std::string bootstraps() const { return rd_kafka_mock_cluster_bootstraps(mcluster_); }
  rd_kafka_mock_cluster_t* mock() const { return mcluster_; }

  // Creates `topic` with `partitions` partitions (replication factor 1).
  bool CreateTopic(const std::string& topic, int partitions) {
    return rd_kafka_mock_topic_create(mcluster_, topic.c_str(), partitions, 1) ==
           RD_KAFKA_RESP_ERR_NO_ERROR;
  }

  // A ClusterConfig for this cluster with short timeouts.
  kafka::ClusterConfig Config(int timeout_ms = 3000) const {
    kafka::ClusterConfig config;
    config.brokers = bootstraps();
    config.timeout_ms = timeout_ms;
    return config;
  }

 private:
  rd_kafka_t* rk_ = nullptr;
  rd_kafka_mock_cluster_t* mcluster_ = nullptr;
};

}  // namespace kq::testing
