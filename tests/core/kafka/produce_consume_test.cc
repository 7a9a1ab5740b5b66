// The cluster producer and consumer (core/kafka/produce.h, consume.h) against
// librdkafka's mock cluster.
#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "kafka/consume.h"
#include "kafka/produce.h"
#include "mock_cluster.h"
#include "log/partitioner.h"

namespace kq::kafka {
namespace {

using Headers = std::vector<std::pair<std::string, std::optional<std::string>>>;

struct OwnedRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp = -1;
  std::optional<std::string> key;
  std::optional<std::string> value;
  Headers headers;
};

ProduceRecord Make(std::optional<std::string> key, std::optional<std::string> value,
                   Headers headers = {}) {
  ProduceRecord r;
  r.key = std::move(key);
  r.value = std::move(value);
  r.headers = std::move(headers);
  return r;
}

Status ProduceVector(const ClusterConfig& config, const std::string& topic,
                     const std::vector<ProduceRecord>& records, ProduceReport* report = nullptr,
                     ProduceOptions options = {}) {
  size_t i = 0;
  return ProduceAll(
      config, options, topic,
      [&](ProduceRecord* out) -> Result<bool> {
        if (i == records.size()) return false;
        *out = records[i++];
        return true;
      },
      report);
}

Result<std::vector<OwnedRecord>> ConsumeAll(const ClusterConfig& config,
                                            const ConsumeRequest& request) {
  std::vector<OwnedRecord> out;
  Status s = ConsumeRange(config, request, [&](const ConsumedRecord& c) {
    const format::RecordView& r = *c.record;
    OwnedRecord o;
    o.topic = std::string(c.topic);
    o.partition = c.partition;
    o.offset = r.offset;
    o.timestamp = r.timestamp;
    if (r.key) o.key = std::string(*r.key);
    if (r.value) o.value = std::string(*r.value);
    for (const auto& [name, value] : r.headers) {
      o.headers.emplace_back(
          std::string(name),
          value ? std::optional<std::string>(std::string(*value)) : std::nullopt);
    }
    out.push_back(std::move(o));
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return out;
}

ConsumeRequest Whole(const std::string& topic) {
  ConsumeRequest request;
  request.topics.push_back({topic, std::nullopt});
  return request;
}

TEST_CASE(
    "kafka produce: null, empty and binary keys and values and duplicate headers round trip") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.ok());
  REQUIRE(cluster.CreateTopic("rt", 1));
  std::string binary("a\0b\xff\xfe", 5);
  std::vector<ProduceRecord> records = {
      Make(std::nullopt, std::nullopt),
      Make(std::string(), std::string()),
      Make(binary, binary, {{"h", std::string("1")}, {"h", std::nullopt}, {"h", std::string()}}),
      Make(std::string("k"), std::string("v"), {{"z", std::string("last")}, {"a", binary}}),
  };
  ProduceReport report;
  REQUIRE(ProduceVector(cluster.Config(), "rt", records, &report).ok());
  CHECK(report.records == 4);
  CHECK(report.bytes == 0 + 0 + 10 + 2);
  REQUIRE(report.partitions.count(0) == 1);
  CHECK(report.partitions[0].first_offset == 0);
  CHECK(report.partitions[0].last_offset == 3);

  auto got = ConsumeAll(cluster.Config(), Whole("rt"));
  REQUIRE(got.ok());
  REQUIRE(got->size() == 4);
  for (size_t i = 0; i < 4; ++i) {
    CAPTURE(i);
    CHECK((*got)[i].offset == static_cast<int64_t>(i));
    CHECK((*got)[i].key == records[i].key);
    CHECK((*got)[i].value == records[i].value);
    CHECK((*got)[i].headers == records[i].headers);
    CHECK((*got)[i].timestamp > 0);
  }
}

TEST_CASE("kafka produce: keys pick the same partition as kq's default partitioner") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("keyed", 3));
  std::vector<ProduceRecord> records;
  for (int i = 0; i < 30; ++i) records.push_back(Make("key-" + std::to_string(i), "v"));
  REQUIRE(ProduceVector(cluster.Config(), "keyed", records).ok());
  auto got = ConsumeAll(cluster.Config(), Whole("keyed"));
  REQUIRE(got.ok());
  REQUIRE(got->size() == 30);
  for (const OwnedRecord& r : *got) {
    CAPTURE(*r.key);
    CHECK(r.partition == log::MurmurPartition(*r.key, 3));
  }
}

TEST_CASE("kafka produce: explicit partitions, timestamps and the per-partition report") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("parts", 2));
  std::vector<ProduceRecord> records;
  for (int i = 0; i < 6; ++i) {
    ProduceRecord r = Make(std::nullopt, "v" + std::to_string(i));
    r.partition = i % 2;
    r.timestamp_ms = 1000 * (i + 1);
    records.push_back(r);
  }
  ProduceReport report;
  REQUIRE(ProduceVector(cluster.Config(), "parts", records, &report).ok());
  CHECK(report.partitions[0].first_offset == 0);
  CHECK(report.partitions[0].last_offset == 2);
  CHECK(report.partitions[1].records == 3);

  ConsumeRequest request;
  request.topics.push_back({"parts", 1});
  auto got = ConsumeAll(cluster.Config(), request);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 3);
  CHECK((*got)[0].value == "v1");
  CHECK((*got)[0].timestamp == 2000);
  CHECK((*got)[2].timestamp == 6000);
}

TEST_CASE("kafka produce: ClusterProducer sends pushed records and reports them at Finish") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("pushed", 2));
  auto producer = ClusterProducer::Open(cluster.Config(), ProduceOptions{}, "pushed");
  REQUIRE(producer.ok());
  CHECK((*producer)->partition_count() == 2);
  CHECK((*producer)->topic() == "pushed");
  for (int i = 0; i < 5; ++i) {
    ProduceRecord r = Make("k", "value" + std::to_string(i), {{"h", std::nullopt}});
    r.partition = 1;
    REQUIRE((*producer)->Send(r).ok());
  }
  CHECK((*producer)->sent() == 5);
  REQUIRE((*producer)->Flush().ok());
  CHECK((*producer)->report().records == 5);
  ProduceReport report;
  REQUIRE((*producer)->Finish(&report).ok());
  CHECK_FALSE(report.created_topic);
  CHECK(report.records == 5);
  CHECK(report.bytes == 5 * 7);  // "k" + "valueN"
  CHECK(report.partitions.size() == 1);
  CHECK(report.partitions[1].first_offset == 0);
  CHECK(report.partitions[1].last_offset == 4);
  CHECK(report.partitions[1].bytes == 35);

  auto got = ConsumeAll(cluster.Config(), Whole("pushed"));
  REQUIRE(got.ok());
  REQUIRE(got->size() == 5);
  CHECK((*got)[4].value == "value4");
  CHECK((*got)[4].headers == Headers{{"h", std::nullopt}});

  ProduceOptions no_create;
  no_create.create_partitions.reset();
  auto missing = ClusterProducer::Open(cluster.Config(), no_create, "absent");
  CHECK(missing.status().IsNotFound());
}

TEST_CASE("kafka consume: -N starts at the last N of each partition") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("tail", 1));
  std::vector<ProduceRecord> records;
  for (int i = 0; i < 10; ++i) records.push_back(Make(std::nullopt, std::to_string(i)));
  REQUIRE(ProduceVector(cluster.Config(), "tail", records).ok());
  ConsumeRequest request = Whole("tail");
  request.start = StartPosition::FromEnd(3);
  auto got = ConsumeAll(cluster.Config(), request);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 3);
  CHECK((*got)[0].offset == 7);
  CHECK((*got)[2].value == "9");

  request.start.value = 100;  // more than there is: from the start
  got = ConsumeAll(cluster.Config(), request);
  REQUIRE(got.ok());
  CHECK(got->size() == 10);

  request.start = StartPosition::AtOffset(8);
  request.max_records = 1;
  got = ConsumeAll(cluster.Config(), request);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 1);
  CHECK((*got)[0].offset == 8);
}

TEST_CASE("kafka consume: s@ and e@ select a time range") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("times", 1));
  std::vector<ProduceRecord> records;
  for (int i = 1; i <= 5; ++i) {
    ProduceRecord r = Make(std::nullopt, std::to_string(i));
    r.timestamp_ms = i * 1000;
    records.push_back(r);
  }
  REQUIRE(ProduceVector(cluster.Config(), "times", records).ok());
  ConsumeRequest request = Whole("times");
  request.end_timestamp_ms = 3500;  // e@3500
  auto got = ConsumeAll(cluster.Config(), request);
  REQUIRE(got.ok());
  REQUIRE(got->size() == 3);
  CHECK((*got)[2].value == "3");

  // s@ goes through rd_kafka_offsets_for_times. The mock cluster answers
  // every timestamp lookup with "no such record", so only the "later than
  // every record" case can be checked here.
  request.start = StartPosition::AtTimestamp(9000);
  request.end_timestamp_ms.reset();
  got = ConsumeAll(cluster.Config(), request);
  REQUIRE(got.ok());
  CHECK(got->empty());
}

TEST_CASE("kafka consume: stops at the end of the log as it was at the start") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("eol", 2));
  auto start = std::chrono::steady_clock::now();
  auto got = ConsumeAll(cluster.Config(), Whole("eol"));  // empty topic
  REQUIRE(got.ok());
  CHECK(got->empty());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));

  REQUIRE(ProduceVector(cluster.Config(), "eol", {Make("a", "1"), Make("b", "2")}).ok());
  ConsumeRequest request = Whole("eol");
  // Records produced while reading are not waited for: the sink adds one
  // for every record it sees, and the read still ends.
  ClusterConfig config = cluster.Config();
  size_t seen = 0;
  Status s = ConsumeRange(config, request, [&](const ConsumedRecord&) {
    ++seen;
    return ProduceVector(config, "eol", {Make("c", "more")});
  });
  REQUIRE(s.ok());
  CHECK(seen == 2);

  request.start = StartPosition::End();
  got = ConsumeAll(config, request);
  REQUIRE(got.ok());
  CHECK(got->empty());
}

TEST_CASE("kafka consume: the sink's error stops reading and is returned") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("stop", 1));
  REQUIRE(ProduceVector(cluster.Config(), "stop", {Make("a", "1"), Make("b", "2")}).ok());
  int calls = 0;
  Status s = ConsumeRange(cluster.Config(), Whole("stop"), [&](const ConsumedRecord&) {
    ++calls;
    return Status::IoError("broken pipe");
  });
  CHECK(s.IsIoError());
  CHECK(calls == 1);
}

TEST_CASE("kafka errors: missing topics and partitions are NotFound with their names") {
  testing::MockKafkaCluster cluster;
  REQUIRE(cluster.CreateTopic("present", 2));
  ProduceOptions no_create;
  no_create.create_partitions.reset();
  Status s = ProduceVector(cluster.Config(), "absent", {Make("k", "v")}, nullptr, no_create);
  CHECK(s.IsNotFound());
  CHECK(s.message().find("'absent'") != std::string::npos);

  auto got = ConsumeAll(cluster.Config(), Whole("absent"));
  CHECK(got.status().IsNotFound());
  ConsumeRequest request;
  request.topics.push_back({"present", 5});
  got = ConsumeAll(cluster.Config(), request);
  CHECK(got.status().IsNotFound());
  CHECK(got.status().message().find("present-5") != std::string::npos);

  ProduceRecord bad = Make("k", "v");
  bad.partition = 7;
  s = ProduceVector(cluster.Config(), "present", {bad});
  CHECK(!s.ok());
  CHECK(s.message().find("present-7") != std::string::npos);

  // A group starts at its committed offsets: only where it has none does the
  // start apply, and then it can only be the beginning or the end.
  request = Whole("present");
  request.group = "g";
  request.start = StartPosition::FromEnd(3);
  Status group_start = ConsumeAll(cluster.Config(), request).status();
  CHECK(group_start.IsInvalidArgument());
  CHECK(group_start.message().find("group 'g'") != std::string::npos);
  request.start = StartPosition::Beginning();
  request.topics = {{"present", 1}};
  Status group_partition = ConsumeAll(cluster.Config(), request).status();
  CHECK(group_partition.IsInvalidArgument());
  CHECK(group_partition.message().find("present-1") != std::string::npos);
}

TEST_CASE("kafka errors: an unreachable broker fails within the timeout with a clear message") {
  ClusterConfig config;
  config.brokers = "127.0.0.1:1";  // nothing listens on port 1
  config.timeout_ms = 2000;
  auto start = std::chrono::steady_clock::now();
  Status s = ProduceVector(config, "t", {Make("k", "v")});
  CHECK(s.IsIoError());
  CHECK(s.message().find("127.0.0.1:1") != std::string::npos);
  auto got = ConsumeAll(config, Whole("t"));
  CHECK(got.status().IsIoError());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  MESSAGE(s.message());
}

TEST_CASE("kafka config: -X passes properties through and rejects unknown ones") {
  auto p = ParseProperty("linger.ms=1");
  REQUIRE(p.ok());
  CHECK(p->first == "linger.ms");
  CHECK(p->second == "1");
  auto eq = ParseProperty("sasl.password=a=b");
  REQUIRE(eq.ok());
  CHECK(eq->second == "a=b");
  CHECK(ParseProperty("novalue").status().IsInvalidArgument());
  CHECK(ParseProperty("=x").status().IsInvalidArgument());

  ClusterConfig config;
  config.brokers = "127.0.0.1:9092";
  config.properties.push_back({"no.such.property", "1"});
  auto client = Client::Open(config, Client::Kind::kProducer);
  REQUIRE(!client.ok());
  CHECK(client.status().IsInvalidArgument());
  CHECK(client.status().message().find("no.such.property") != std::string::npos);

  config.properties.clear();
  config.brokers.clear();
  CHECK(Client::Open(config, Client::Kind::kProducer).status().IsInvalidArgument());
}

TEST_CASE("kafka errors: librdkafka codes map to kq status codes") {
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR_NO_ERROR, "x").ok());
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "x").IsNotFound());
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS, "x").IsConflict());
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP, "x").IsBusy());
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE, "x").IsOutOfRange());
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR_INVALID_CONFIG, "x").IsInvalidArgument());
  CHECK(ErrorStatus(RD_KAFKA_RESP_ERR__TIMED_OUT, "x").IsIoError());
  Status s = ErrorStatus(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, "produce to t-1");
  CHECK(s.message() == "produce to t-1: Broker: Unknown topic or partition");
}

}  // namespace
}  // namespace kq::kafka
