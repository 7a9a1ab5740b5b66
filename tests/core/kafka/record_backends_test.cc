// The cluster backends of the produce and consume verbs
// (kafka/cluster_record_writer.h, kafka/cluster_record_source.h) against
// librdkafka's mock cluster: what one writes the other reads, and the
// report says where it went.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "kafka/cluster_record_source.h"
#include "kafka/cluster_record_writer.h"
#include "mock_cluster.h"

namespace kq::kafka {
namespace {

client::ReadRequest Whole(const std::string& topic) {
  client::ReadRequest r;
  r.selections.push_back({topic, std::nullopt});
  return r;
}

TEST_CASE("cluster record writer and source: what one writes the other reads, reported") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("pipe", 2));
  ClusterConfig config = cluster.Config();
  config.properties.push_back({"message.max.bytes", "5000"});
  auto writer = ClusterRecordWriter::Open(config, ProduceOptions{}, "pipe");
  REQUIRE(writer.ok());
  CHECK((*writer)->partition_count() == 2);
  CHECK((*writer)->max_record_bytes() == 5000);
  std::vector<format::HeaderView> headers = {{"h", std::nullopt}};
  for (int i = 0; i < 4; ++i) {
    std::string value = "v" + std::to_string(i);
    client::ProducerRecord r;
    r.key = "k";
    r.value = value;
    r.partition = i % 2;
    r.headers = headers;
    r.timestamp = 1000 + i;
    REQUIRE((*writer)->Add(r).ok());
  }
  REQUIRE((*writer)->Close().ok());
  client::WriteReport report = (*writer)->Report();
  CHECK(report.topic == "pipe");
  CHECK(report.records == 4);
  CHECK(report.bytes == 4 * 3);  // key + value bytes
  REQUIRE(report.partitions.size() == 2);
  CHECK(report.partitions[0].partition == 0);
  CHECK(report.partitions[0].first_offset == 0);
  CHECK(report.partitions[0].last_offset == 1);
  CHECK(report.partitions[1].records == 2);

  ClusterRecordSource source(cluster.Config());
  std::vector<std::string> seen;
  client::ReadCallbacks cb;
  cb.sink = [&](const client::ConsumedRecord& r) {
    CHECK(r.record->headers.size() == 1);
    CHECK(r.record->timestamp >= 1000);
    seen.push_back(std::to_string(r.partition) + ":" + std::string(*r.record->value));
    return Status::Ok();
  };
  REQUIRE(source.Read(Whole("pipe"), cb).ok());
  std::sort(seen.begin(), seen.end());
  CHECK(seen == std::vector<std::string>{"0:v0", "0:v2", "1:v1", "1:v3"});
}

TEST_CASE("cluster record source: ordered is NotSupported; Stop ends a follower") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("idle", 1));
  ClusterRecordSource source(cluster.Config());
  client::ReadCallbacks cb;
  cb.sink = [](const client::ConsumedRecord&) { return Status::Ok(); };
  client::ReadRequest r = Whole("idle");
  r.ordered = true;
  CHECK(source.Read(r, cb).code() == Status::Code::kNotSupported);

  r.ordered = false;
  r.follow = true;
  source.Stop();
  auto start = std::chrono::steady_clock::now();
  CHECK(source.Read(r, cb).ok());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
}

}  // namespace
}  // namespace kq::kafka
