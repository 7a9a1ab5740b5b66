// ClusterTopicAdmin and ClusterGroupAdmin (the -b backends of kq-topics and
// kq-groups) against librdkafka's mock cluster: what a cluster cannot say is
// left unset, targets are checked before any request, and reset plans keep
// only the named partitions.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "kafka/cluster_group_admin.h"
#include "kafka/cluster_topic_admin.h"
#include "kafka/produce.h"
#include "mock_cluster.h"

namespace kq::kafka {
namespace {

Status ProduceTo(const ClusterConfig& config, const std::string& topic, int32_t partition, int n) {
  int i = 0;
  return ProduceAll(
      config, ProduceOptions{}, topic,
      [&](ProduceRecord* r) -> Result<bool> {
        if (i == n) return false;
        r->partition = partition;
        r->value = "v" + std::to_string(i++);
        return true;
      },
      nullptr);
}

}  // namespace

TEST_CASE("cluster topic admin: describe leaves unknown figures unset and asks for configs once") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("alpha", 2));
  REQUIRE(cluster.CreateTopic("beta", 1));
  REQUIRE(ProduceTo(cluster.Config(), "alpha", 1, 5).ok());
  ClusterTopicAdmin admin(cluster.Config(1500));
  CHECK(admin.Location() == "at '" + cluster.Config().brokers + "'");
  CHECK(admin.CheckConfig({"min.insync.replicas", "2"}).ok());  // the broker's to judge

  auto all = admin.DescribeTopics({});
  REQUIRE_MESSAGE(all.ok(), all.status().ToString());
  REQUIRE(all->size() == 2);
  const client::TopicDetail& alpha = (*all)[0];
  CHECK(alpha.name == "alpha");
  CHECK_FALSE(alpha.records_exact);
  CHECK(alpha.records == 5);
  CHECK_FALSE(alpha.bytes.has_value());
  REQUIRE(alpha.partitions.size() == 2);
  CHECK(alpha.partitions[1].log_end_offset == 5);
  CHECK_FALSE(alpha.partitions[1].bytes.has_value());
  CHECK_FALSE(alpha.partitions[1].segments.has_value());
  CHECK(alpha.partitions[1].leader.has_value());
  // The mock has no DescribeConfigs: unavailable, with the reason, for both.
  CHECK_FALSE(alpha.config.has_value());
  CHECK_FALSE(alpha.config_status.ok());
  CHECK(alpha.config_status.message().find("describe config of topic 'alpha'") !=
        std::string::npos);
  CHECK_FALSE((*all)[1].config.has_value());
  CHECK((*all)[1].config_status.message() == alpha.config_status.message());  // asked once

  CHECK(admin.DescribeTopics({"alpha", "nope"}).status().IsNotFound());
  CHECK(*admin.PartitionCount("alpha") == 2);
  CHECK(admin.PartitionCount("nope").status().IsNotFound());
}

TEST_CASE("cluster topic admin: offsets, and trims checked before any request") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("alpha", 2));
  REQUIRE(ProduceTo(cluster.Config(), "alpha", 1, 5).ok());
  ClusterTopicAdmin admin(cluster.Config(1500));
  auto offsets = admin.ListOffsets("alpha", std::nullopt);
  REQUIRE(offsets.ok());
  REQUIRE(offsets->size() == 2);
  CHECK((*offsets)[1].earliest == 0);
  CHECK((*offsets)[1].latest == 5);
  CHECK_FALSE((*offsets)[1].at.has_value());
  auto at = admin.ListOffsets("alpha", 0);
  REQUIRE(at.ok());
  REQUIRE((*at)[1].at.has_value());

  auto past =
      admin.DeleteRecords({{"alpha", std::nullopt}}, maint::DeleteBefore::AtOffset(Offset(9)));
  CHECK(past.status().IsOutOfRange());
  CHECK(past.status().message() == "partition alpha-0 ends at offset 0");
  auto missing = admin.DeleteRecords({{"alpha", 7}}, maint::DeleteBefore::End());
  CHECK(missing.status().IsNotFound());
  CHECK(missing.status().message().find("partition 7 of topic 'alpha' does not exist") !=
        std::string::npos);
  // Within range, the request reaches the cluster (which lacks DeleteRecords).
  auto asked = admin.DeleteRecords({{"alpha", 1}}, maint::DeleteBefore::AtOffset(Offset(2)));
  CHECK_FALSE(asked.ok());
  CHECK(asked.status().message().find("trim alpha-1") != std::string::npos);
}

TEST_CASE("cluster group admin: a reset plan keeps only the named partitions") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("orders", 3));
  REQUIRE(ProduceTo(cluster.Config(), "orders", 1, 3).ok());
  ClusterGroupAdmin admin(cluster.Config(1500));
  using Kind = client::ResetTarget::Kind;

  auto plan = admin.PlanReset("fresh", {{"orders", {1, 2}}}, {Kind::kLatest, 0});
  REQUIRE_MESSAGE(plan.ok(), plan.status().ToString());
  REQUIRE(plan->offsets.size() == 2);
  CHECK(plan->offsets[0].tp == groups::TopicPartition{"orders", 1});
  CHECK_FALSE(plan->offsets[0].current.has_value());
  CHECK(plan->offsets[0].next == 3);
  CHECK(plan->offsets[1].tp == groups::TopicPartition{"orders", 2});
  CHECK(plan->offsets[1].next == 0);

  auto beyond = admin.PlanReset("fresh", {{"orders", {5}}}, {Kind::kLatest, 0});
  CHECK(beyond.status().IsNotFound());
  CHECK(beyond.status().message().find("partition orders-5 does not exist") != std::string::npos);

  // Committed, then described: the offset and lag, members unknown.
  auto one = admin.PlanReset("fresh", {{"orders", {1}}}, {Kind::kOffset, 1});
  REQUIRE(one.ok());
  REQUIRE(admin.CommitOffsets("fresh", one->offsets).ok());
  auto d = admin.DescribeGroup("fresh");
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  REQUIRE(d->partitions.size() == 1);
  CHECK(d->partitions[0].committed->offset == 1);
  CHECK_FALSE(d->partitions[0].committed_detail);
  CHECK(d->partitions[0].log_end == 3);
  CHECK(d->partitions[0].lag == 2);
  CHECK(d->state.has_value());
}

}  // namespace kq::kafka
