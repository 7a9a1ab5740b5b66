// The cluster admin and groups calls (core/kafka/admin.h, groups.h) against librdkafka's mock
// cluster. The mock has no CreateTopics, DeleteTopics, DescribeConfigs, DeleteRecords,
// DescribeGroups or DeleteGroups: for those the tests check that the call fails with a message
// naming the operation, in bounded time.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include "kafka/admin.h"
#include "kafka/consume.h"
#include "kafka/groups.h"
#include "kafka/produce.h"
#include "mock_cluster.h"

namespace kq::kafka {
namespace {

Status ProduceN(const ClusterConfig& config, const std::string& topic, int n,
                std::optional<int32_t> partition = std::nullopt) {
  int i = 0;
  return ProduceAll(
      config, ProduceOptions{}, topic,
      [&](ProduceRecord* r) -> Result<bool> {
        if (i == n) return false;
        r->partition = partition;
        r->key = "k" + std::to_string(i);
        r->value = "v" + std::to_string(i++);
        return true;
      },
      nullptr);
}

// Consumes with -G `group` until the end; returns the record count.
Result<int> ConsumeGroup(const ClusterConfig& config, const std::string& group,
                         const std::string& topic, std::optional<uint64_t> max = std::nullopt) {
  ConsumeRequest request;
  request.topics.push_back({topic, std::nullopt});
  request.group = group;
  request.max_records = max;
  int n = 0;
  int flushes = 0;
  Status s = ConsumeRange(
      config, request,
      [&](const ConsumedRecord&) {
        ++n;
        return Status::Ok();
      },
      [&] {
        ++flushes;
        return Status::Ok();
      });
  if (!s.ok()) {
    MESSAGE("consume -G failed: " << s.message());
    return s;
  }
  if (n > 0) CHECK(flushes > 0);  // committed only after a flush
  return n;
}

TEST_CASE("kafka topics: list and describe show partitions and watermarks") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("alpha", 2));
  REQUIRE(cluster.CreateTopic("beta", 1));
  REQUIRE(ProduceN(cluster.Config(), "alpha", 5, 1).ok());

  auto topics = ListTopics(cluster.Config());
  REQUIRE(topics.ok());
  std::vector<std::string> names;
  for (const TopicMetadata& t : *topics) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"alpha", "beta"});
  CHECK((*topics)[0].partitions == std::vector<int32_t>{0, 1});

  auto d = DescribeTopic(cluster.Config(), "alpha");
  REQUIRE(d.ok());
  REQUIRE(d->partitions.size() == 2);
  CHECK(d->partitions[0].start_offset == 0);
  CHECK(d->partitions[0].end_offset == 0);
  CHECK(d->partitions[1].end_offset == 5);
  CHECK(d->partitions[1].leader >= 0);

  auto missing = DescribeTopic(cluster.Config(), "gamma");
  CHECK(missing.status().IsNotFound());
  CHECK(missing.status().message().find("'gamma'") != std::string::npos);
}

TEST_CASE("kafka topics: operations the cluster lacks fail clearly and in bounded time") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("alpha", 1));
  ClusterConfig config = cluster.Config(1500);
  auto start = std::chrono::steady_clock::now();
  NewTopic spec;
  spec.name = "fresh";
  spec.partitions = 3;
  Status s = CreateTopic(config, spec);
  CHECK(!s.ok());
  CHECK(s.message().find("create topic 'fresh'") != std::string::npos);
  MESSAGE(s.message());

  auto configs = DescribeTopicConfig(config, "alpha");
  CHECK(!configs.ok());
  CHECK(configs.status().message().find("'alpha'") != std::string::npos);

  auto trimmed = TrimTopic(config, "alpha", {{0, 1}});
  CHECK(!trimmed.ok());
  CHECK(trimmed.status().message().find("trim") != std::string::npos);
  CHECK(trimmed.status().message().find("alpha") != std::string::npos);
  MESSAGE(trimmed.status().message());

  // Missing topics are found out before the admin request.
  CHECK(DeleteTopic(config, "nope").IsNotFound());
  CHECK(AlterTopicConfig(config, "nope", {{"retention.ms", "1"}}).IsNotFound());
  CHECK(AddPartitions(config, "nope", 4).IsNotFound());
  Status grown = AddPartitions(config, "alpha", 4);
  CHECK(!grown.ok());
  CHECK(grown.message().find("add partitions to topic 'alpha'") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

// The mock cluster, unlike Kafka, waits for a rebalance timeout (the
// members' session.timeout.ms) before admitting a member into a group that
// another member just left; the shortest session keeps the tests quick.
ClusterConfig GroupConfig(const testing::MockKafkaCluster& cluster) {
  ClusterConfig config = cluster.Config();
  config.properties.push_back({"session.timeout.ms", "6000"});
  config.properties.push_back({"heartbeat.interval.ms", "1000"});
  return config;
}

TEST_CASE("kafka groups: -G commits what was delivered and resumes from it") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("work", 2));
  ClusterConfig config = GroupConfig(cluster);
  REQUIRE(ProduceN(config, "work", 10).ok());

  auto first = ConsumeGroup(config, "g1", "work", 4);
  REQUIRE(first.ok());
  CHECK(*first == 4);
  auto rest = ConsumeGroup(config, "g1", "work");
  REQUIRE(rest.ok());
  CHECK(*rest == 6);
  auto none = ConsumeGroup(config, "g1", "work");
  REQUIRE(none.ok());
  CHECK(*none == 0);

  auto d = DescribeGroup(config, "g1");
  REQUIRE(d.ok());
  int64_t committed = 0;
  for (const GroupPartition& p : d->partitions) {
    CHECK(p.topic == "work");
    CHECK(p.lag == 0);
    CHECK(p.current_offset == p.log_end_offset);
    committed += p.current_offset;
  }
  CHECK(committed == 10);
  CHECK(DescribeGroup(config, "never-used").status().IsNotFound());

  ConsumeRequest bad;
  bad.topics.push_back({"work", 1});
  bad.group = "g1";
  CHECK(ConsumeRange(config, bad, [](const ConsumedRecord&) {
          return Status::Ok();
        }).IsInvalidArgument());
}

// Kafka accepts a reset's commit (generation -1, no member) for a group
// without active members; the mock refuses it, with UNKNOWN_MEMBER_ID, for
// any group that ever joined. So the reset is tested on an offsets-only
// group, which is then consumed with -G.
TEST_CASE("kafka groups: reset plans, executes, and the group reads from there") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("jobs", 1));
  ClusterConfig config = GroupConfig(cluster);
  REQUIRE(ProduceN(config, "jobs", 8).ok());

  ResetTarget target;
  target.kind = ResetTarget::Kind::kLatest;
  CHECK(PlanGroupReset(config, "g2", {}, target).status().IsNotFound());  // no offsets, no topics
  CHECK(PlanGroupReset(config, "g2", {"nope"}, target).status().IsNotFound());
  auto plan = PlanGroupReset(config, "g2", {"jobs"}, target);
  REQUIRE(plan.ok());
  REQUIRE(plan->size() == 1);
  CHECK((*plan)[0].current_offset == -1);
  CHECK((*plan)[0].new_offset == 8);
  CHECK(DescribeGroup(config, "g2").status().IsNotFound());  // planning changed nothing
  Status executed = ExecuteGroupReset(config, "g2", *plan);
  INFO(executed.message());
  REQUIRE(executed.ok());

  target.kind = ResetTarget::Kind::kShiftBy;
  target.value = -3;
  plan = PlanGroupReset(config, "g2", {}, target);  // the group's own topics now
  REQUIRE(plan.ok());
  REQUIRE(plan->size() == 1);
  CHECK((*plan)[0].current_offset == 8);
  CHECK((*plan)[0].new_offset == 5);

  target.kind = ResetTarget::Kind::kOffset;
  target.value = 100;  // clamped to the log end
  auto clamped = PlanGroupReset(config, "g2", {"jobs"}, target);
  REQUIRE(clamped.ok());
  CHECK((*clamped)[0].new_offset == 8);

  REQUIRE(ExecuteGroupReset(config, "g2", *plan).ok());
  auto after = DescribeGroup(config, "g2");
  REQUIRE(after.ok());
  REQUIRE(after->partitions.size() == 1);
  CHECK(after->partitions[0].current_offset == 5);
  CHECK(after->partitions[0].log_end_offset == 8);
  CHECK(after->partitions[0].lag == 3);
  auto rest = ConsumeGroup(config, "g2", "jobs");
  REQUIRE(rest.ok());
  CHECK(*rest == 3);
}

// ListGroups and DeleteGroups are absent from the mock; librdkafka 2.0.2
// even aborts (an enq_once assertion) when DeleteGroups meets it, so list is
// checked against both answers a cluster can give, and delete's
// reachability check alone.
TEST_CASE("kafka groups: list reports the cluster's answer; delete checks reach first") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("jobs", 1));
  ClusterConfig config = GroupConfig(cluster);
  REQUIRE(ProduceN(config, "jobs", 2).ok());
  // Two groups with commits, named out of order: a listing must hold both,
  // sorted, and know them as consumer groups.
  REQUIRE(ConsumeGroup(config, "listed-b", "jobs").ok());
  REQUIRE(ConsumeGroup(config, "listed-a", "jobs").ok());
  config.timeout_ms = 1500;
  auto start = std::chrono::steady_clock::now();
  auto groups = ListGroups(config);
  if (groups.ok()) {
    std::vector<std::string> names;
    for (const GroupListing& g : *groups) {
      names.push_back(g.group);
      CHECK(!g.state.empty());
    }
    CHECK(std::is_sorted(names.begin(), names.end()));
    CHECK(std::count(names.begin(), names.end(), "listed-a") == 1);
    CHECK(std::count(names.begin(), names.end(), "listed-b") == 1);
  } else {
    // librdkafka 2.0.2's mock: no ListGroups. The failure must say what
    // failed and why, as NotSupported (exit code 1, not "unreachable").
    CHECK(groups.status().code() == Status::Code::kNotSupported);
    CHECK(groups.status().message().find("list groups") == 0);
    CHECK(groups.status().message().find("not supported") != std::string::npos);
  }
  ClusterConfig nowhere;
  nowhere.brokers = "127.0.0.1:1";
  nowhere.timeout_ms = 1500;
  Status s = DeleteGroup(nowhere, "g");
  CHECK(s.IsIoError());
  CHECK(s.message().find("127.0.0.1:1") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
}

}  // namespace
}  // namespace kq::kafka
