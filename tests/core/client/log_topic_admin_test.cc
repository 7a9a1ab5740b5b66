// LogTopicAdmin: kq-topics' work over a log directory — what create, alter,
// describe, offsets and trim do to the directory, and that a refused request
// changes nothing.
#include "client/log_topic_admin.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/log_helpers.h"

using namespace kq;
using namespace kq::client;

namespace {

struct Fixture {
  testing::TempDir tmp;
  std::string path = tmp.path() + "/data";  // not created until a topic is
  LogTopicAdmin admin{io::Env::Default(), path};

  // Appends one batch of `count` records with timestamp `ts`.
  void Append(const std::string& topic, int32_t p, int count, int64_t ts) {
    auto dir = log::LogDir::Open(io::Env::Default(), path, false);
    REQUIRE(dir.ok());
    auto part = dir->OpenPartition(topic, PartitionId(p), log::OpenMode::kWrite);
    REQUIRE(part.ok());
    std::string batch = testing::MakeBatch("v", count, ts);
    REQUIRE((*part)->Append(batch).ok());
  }
  void Create(const std::string& name, int32_t partitions,
              std::vector<log::ConfigChange> configs = {}) {
    Status s = admin.CreateTopic({name, partitions, std::move(configs)});
    REQUIRE_MESSAGE(s.ok(), s.ToString());
  }
  int64_t LogStart(const std::string& topic, int32_t p) {
    auto offsets = admin.ListOffsets(topic, std::nullopt);
    REQUIRE(offsets.ok());
    return (*offsets)[static_cast<size_t>(p)].earliest;
  }
};

const TopicConfigValue* Find(const TopicDetail& d, const std::string& name) {
  for (const TopicConfigValue& e : *d.config) {
    if (e.name == name) return &e;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("log topic admin: a directory not created yet lists nothing, and describe says so") {
  Fixture f;
  auto none = f.admin.ListTopics();
  REQUIRE(none.ok());
  CHECK(none->empty());
  auto described = f.admin.DescribeTopics({});
  CHECK(described.status().IsNotFound());
  CHECK(f.admin.PartitionCount("t").status().IsNotFound());
  CHECK(f.admin.Location() == "in " + f.path);
}

TEST_CASE("log topic admin: create makes the directory, and an existing topic is a conflict") {
  Fixture f;
  f.Create("orders", 3, {{"retention.ms", "1000"}});
  auto listed = f.admin.ListTopics();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].name == "orders");
  CHECK((*listed)[0].partitions == 3);
  CHECK(f.admin.CreateTopic({"orders", 1, {}}).IsConflict());
  CHECK(*f.admin.PartitionCount("orders") == 3);  // left as it was
  // A bad config is refused before anything is created.
  CHECK(f.admin.CreateTopic({"bad", 1, {{"retention.ms", "soon"}}}).IsInvalidArgument());
  CHECK(f.admin.PartitionCount("bad").status().IsNotFound());
}

TEST_CASE("log topic admin: CheckConfig knows the directory's configs") {
  Fixture f;
  CHECK(f.admin.CheckConfig({"retention.ms", "1000"}).ok());
  CHECK(f.admin.CheckConfig({"retention.ms", std::nullopt}).ok());
  CHECK(f.admin.CheckConfig({"retention.ms", "soon"}).IsInvalidArgument());
  Status unknown = f.admin.CheckConfig({"nosuch.key", std::nullopt});
  CHECK(unknown.IsInvalidArgument());
  CHECK(unknown.message().find("nosuch.key") != std::string::npos);
}

TEST_CASE("log topic admin: describe counts records and bytes exactly and shows the config") {
  Fixture f;
  f.Create("orders", 2, {{"retention.ms", "1000"}});
  f.Append("orders", 1, 5, 1000);
  f.Append("orders", 1, 2, 2000);
  auto all = f.admin.DescribeTopics({});
  REQUIRE(all.ok());
  REQUIRE(all->size() == 1);
  const TopicDetail& d = all->front();
  CHECK(d.name == "orders");
  CHECK(d.records_exact);
  CHECK(d.records == 7);
  REQUIRE(d.partitions.size() == 2);
  CHECK(d.partitions[0].records == 0);
  CHECK(d.partitions[1].records == 7);
  CHECK(d.partitions[1].log_end_offset == 7);
  CHECK(d.partitions[1].segments == 1);
  CHECK(d.partitions[1].max_timestamp == 2000);
  REQUIRE(d.partitions[1].bytes.has_value());
  CHECK(*d.partitions[1].bytes > 0);
  CHECK(d.bytes == d.partitions[1].bytes);
  REQUIRE(d.config.has_value());
  const TopicConfigValue* retention = Find(d, "retention.ms");
  REQUIRE(retention != nullptr);
  CHECK(retention->value == "1000");
  CHECK_FALSE(retention->is_default);
  const TopicConfigValue* segment = Find(d, "segment.bytes");
  REQUIRE(segment != nullptr);
  CHECK(segment->is_default);

  // A named topic that is missing fails the whole call.
  auto missing = f.admin.DescribeTopics({"orders", "nope"});
  CHECK(missing.status().IsNotFound());
  CHECK(missing.status().message().find("'nope'") != std::string::npos);
}

TEST_CASE("log topic admin: alter sets and resets configs; partitions only grow") {
  Fixture f;
  f.Create("orders", 2, {{"retention.ms", "1000"}});
  REQUIRE(f.admin.AlterConfig("orders", {{"retention.ms", std::nullopt}, {"segment.ms", "60000"}})
              .ok());
  auto d = f.admin.DescribeTopics({"orders"});
  REQUIRE(d.ok());
  CHECK(Find(d->front(), "retention.ms")->is_default);
  CHECK(Find(d->front(), "segment.ms")->value == "60000");
  CHECK(f.admin.AddPartitions("orders", 2).IsInvalidArgument());
  REQUIRE(f.admin.AddPartitions("orders", 4).ok());
  CHECK(*f.admin.PartitionCount("orders") == 4);
  CHECK(f.admin.AlterConfig("nope", {{"retention.ms", "1"}}).IsNotFound());
}

TEST_CASE("log topic admin: offsets for a time are the first at or after it, else the end") {
  Fixture f;
  f.Create("t", 1);
  f.Append("t", 0, 3, 1000);  // offsets 0..2
  f.Append("t", 0, 3, 5000);  // offsets 3..5
  auto plain = f.admin.ListOffsets("t", std::nullopt);
  REQUIRE(plain.ok());
  REQUIRE(plain->size() == 1);
  CHECK((*plain)[0].earliest == 0);
  CHECK((*plain)[0].latest == 6);
  CHECK_FALSE((*plain)[0].at.has_value());
  CHECK((*f.admin.ListOffsets("t", 500))[0].at == 0);
  CHECK((*f.admin.ListOffsets("t", 2000))[0].at == 3);
  CHECK((*f.admin.ListOffsets("t", 9000))[0].at == 6);
}

TEST_CASE("log topic admin: delete records trims every target, or none when one is refused") {
  Fixture f;
  f.Create("a", 2);
  f.Create("b", 1);
  f.Append("a", 0, 4, 1000);
  f.Append("a", 1, 4, 1000);
  f.Append("b", 0, 2, 1000);

  // b ends at 2: the whole request is refused before a changes.
  auto refused = f.admin.DeleteRecords({{"a", std::nullopt}, {"b", std::nullopt}},
                                       maint::DeleteBefore::AtOffset(Offset(3)));
  CHECK(refused.status().IsOutOfRange());
  CHECK(refused.status().message().find("b-0 ends at offset 2") != std::string::npos);
  CHECK(f.LogStart("a", 0) == 0);
  CHECK(f.LogStart("a", 1) == 0);
  CHECK(f.admin.DeleteRecords({{"a", 5}}, maint::DeleteBefore::End()).status().IsNotFound());

  auto done = f.admin.DeleteRecords({{"a", 1}, {"b", std::nullopt}}, maint::DeleteBefore::End());
  REQUIRE(done.ok());
  REQUIRE(done->size() == 2);
  CHECK((*done)[0].topic == "a");
  CHECK((*done)[0].partition == 1);
  CHECK((*done)[0].previous_log_start == 0);
  CHECK((*done)[0].log_start == 4);
  CHECK((*done)[0].records_deleted == 4);
  CHECK((*done)[1].topic == "b");
  CHECK((*done)[1].records_deleted == 2);
  CHECK(f.LogStart("a", 0) == 0);  // not named
  CHECK(f.LogStart("a", 1) == 4);
}

TEST_CASE("log topic admin: delete removes the topic") {
  Fixture f;
  f.Create("a", 1);
  f.Create("b", 1);
  REQUIRE(f.admin.DeleteTopic("a").ok());
  CHECK(f.admin.DeleteTopic("a").IsNotFound());
  auto listed = f.admin.ListTopics();
  REQUIRE(listed.ok());
  REQUIRE(listed->size() == 1);
  CHECK((*listed)[0].name == "b");
}
