// KafkaSource against a real kq-serve child on 127.0.0.1 (KQ_BIN_DIR), on a
// directory prepared with the log library: every answer is compared with
// the bytes on disk. Hostile peers are wire_client_test.cc's job.
#include "replica/kafka_source.h"

#include <doctest/doctest.h>

#include <thread>

#include "io/env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/batch_builders.h"
#include "support/serve_child.h"

namespace kq::replica {
namespace {

using namespace std::chrono_literals;

using testing::ServeChild;

// A directory with topic "orders" (2 partitions, retention.ms set): 5
// batches of 3 records in partition 0, none in 1.
struct Fixture {
  std::string dir = testing::MakeTempDir("kq-kafka-source");
  std::vector<std::string> batches;  // as stored, offsets assigned
  Fixture() {
    io::Env* env = io::Env::Default();
    auto log_dir = log::LogDir::Open(env, dir, true);
    REQUIRE(log_dir.ok());
    log::TopicConfig config;
    REQUIRE(config.Set("retention.ms", "86400000").ok());
    REQUIRE(log_dir->CreateTopic("orders", 2, config).ok());
    auto p = log::Partition::Open(log_dir->PartitionPath("orders", PartitionId(0)),
                                  log::PartitionOptionsFor(env, "orders", PartitionId(0), config),
                                  log::OpenMode::kWrite);
    REQUIRE(p.ok());
    for (int i = 0; i < 5; ++i) {
      std::string b = testing::MakeSimpleBatch(0, 3, 1000 + i);
      std::vector<std::string> one = {b};
      REQUIRE((*p)->Append(std::span<std::string>(one)).ok());
      batches.push_back(one[0]);
    }
    REQUIRE((*p)->Close(log::Partition::CloseSync::kSync).ok());
  }
  ~Fixture() { std::system(("rm -rf '" + dir + "'").c_str()); }
};

}  // namespace

TEST_CASE("KafkaSource reads topics, offsets, epochs and whole batches from kq-serve") {
  Fixture fx;
  ServeChild serve(fx.dir);
  auto source = KafkaSource::Open(fmt::format("kafka://127.0.0.1:{}", serve.port()),
                                  {.replica_id = 2, .wire = {}});
  REQUIRE(source.ok());
  KafkaSource& s = **source;
  CHECK(s.Describe() == fmt::format("kafka://127.0.0.1:{}", serve.port()));

  auto topics = s.ListTopics();
  REQUIRE_MESSAGE(topics.ok(), topics.status().ToString());
  REQUIRE(topics->size() == 1);
  CHECK((*topics)[0].name == "orders");
  CHECK((*topics)[0].partitions == 2);
  CHECK((*topics)[0].configs == std::map<std::string, std::string>{{"retention.ms", "86400000"}});

  auto offsets = s.Offsets("orders", PartitionId(0));
  REQUIRE_MESSAGE(offsets.ok(), offsets.status().ToString());
  CHECK(offsets->log_start == Offset(0));
  CHECK(offsets->log_end == Offset(15));

  SUBCASE("every batch, byte for byte, from several partitions in one fetch") {
    std::vector<FetchPosition> positions = {{"orders", PartitionId(0), Offset(0)},
                                            {"orders", PartitionId(1), Offset(0)}};
    auto fetched = s.Fetch(positions, 1 << 20, 0ms);
    REQUIRE_MESSAGE(fetched.ok(), fetched.status().ToString());
    REQUIRE(fetched->size() == 2);
    CHECK((*fetched)[0].status.ok());
    CHECK((*fetched)[0].batches == fx.batches);
    CHECK((*fetched)[0].offsets.log_end == Offset(15));
    CHECK((*fetched)[1].status.ok());
    CHECK((*fetched)[1].batches.empty());
  }
  SUBCASE("from the middle of a batch: that batch first") {
    std::vector<FetchPosition> positions = {{"orders", PartitionId(0), Offset(7)}};
    auto fetched = s.Fetch(positions, 1 << 20, 0ms);
    REQUIRE(fetched.ok());
    CHECK((*fetched)[0].batches ==
          std::vector<std::string>(fx.batches.begin() + 2, fx.batches.end()));
  }
  SUBCASE("a small limit: whole batches only, the partial tail dropped") {
    std::vector<FetchPosition> positions = {{"orders", PartitionId(0), Offset(0)}};
    auto fetched = s.Fetch(positions, fx.batches[0].size() + fx.batches[1].size() / 2, 0ms);
    REQUIRE(fetched.ok());
    REQUIRE(!(*fetched)[0].batches.empty());
    CHECK((*fetched)[0].batches.size() < fx.batches.size());
    for (size_t i = 0; i < (*fetched)[0].batches.size(); ++i)
      CHECK((*fetched)[0].batches[i] == fx.batches[i]);
    // A limit below one batch still gets that batch.
    auto tiny = s.Fetch(positions, 10, 0ms);
    REQUIRE(tiny.ok());
    REQUIRE((*tiny)[0].batches.size() >= 1);
    CHECK((*tiny)[0].batches[0] == fx.batches[0]);
  }
  SUBCASE("at the end: waits up to max_wait, then nothing") {
    std::vector<FetchPosition> positions = {{"orders", PartitionId(0), Offset(15)}};
    auto started = std::chrono::steady_clock::now();
    auto fetched = s.Fetch(positions, 1 << 20, 300ms);
    auto took = std::chrono::steady_clock::now() - started;
    REQUIRE(fetched.ok());
    CHECK((*fetched)[0].status.ok());
    CHECK((*fetched)[0].batches.empty());
    CHECK(took >= 200ms);
    CHECK(took < 5s);
  }
  SUBCASE("out of range and unknown partitions: a status per partition") {
    std::vector<FetchPosition> positions = {{"orders", PartitionId(0), Offset(99)},
                                            {"nope", PartitionId(0), Offset(0)}};
    auto fetched = s.Fetch(positions, 1 << 20, 0ms);
    REQUIRE_MESSAGE(fetched.ok(), fetched.status().ToString());
    CHECK((*fetched)[0].status.IsOutOfRange());
    CHECK((*fetched)[0].offsets.log_end == Offset(15));
    CHECK((*fetched)[1].status.IsNotFound());
    CHECK(s.Offsets("nope", PartitionId(0)).status().IsNotFound());
    // The offsets of an out-of-range partition are asked after the answer
    // is read: the batches of the next partition stay intact.
    std::vector<FetchPosition> mixed = {{"orders", PartitionId(1), Offset(5)},
                                        {"orders", PartitionId(0), Offset(0)}};
    auto both = s.Fetch(mixed, 1 << 20, 0ms);
    REQUIRE_MESSAGE(both.ok(), both.status().ToString());
    CHECK((*both)[0].status.IsOutOfRange());
    CHECK((*both)[0].offsets.log_end == Offset(0));
    CHECK((*both)[1].status.ok());
    CHECK((*both)[1].batches == fx.batches);
  }
  SUBCASE("OffsetForLeaderEpoch") {
    auto end = s.EndOffsetForEpoch("orders", PartitionId(0), Epoch(0));
    REQUIRE_MESSAGE(end.ok(), end.status().ToString());
    CHECK(end->epoch == Epoch(0));
    CHECK(end->end_offset == Offset(15));
  }
  SUBCASE("the connection comes back after the server restarts") {
    s.client().Close();
    auto again = s.Offsets("orders", PartitionId(0));
    REQUIRE(again.ok());
    CHECK(again->log_end == Offset(15));
  }
}

TEST_CASE("KafkaSource::Open refuses what is not kafka://HOST:PORT") {
  CHECK(KafkaSource::Open("kafka://nohost").status().IsInvalidArgument());
  CHECK(KafkaSource::Open("kafka://:9092").status().IsInvalidArgument());
  auto ok = KafkaSource::Open("kafka://localhost:9092/");
  REQUIRE(ok.ok());
  CHECK((*ok)->Describe() == "kafka://localhost:9092");
}

}  // namespace kq::replica
