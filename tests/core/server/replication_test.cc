// kq-serve as a leader with a follower, over the protocol: a KafkaSource
// with a replica id plays the follower, another with -1 the consumer, and a
// WireClient produces. Checks Kafka's rules (replica_tracker.h): the high
// watermark is the in-sync minimum, consumers stop there, acks=-1 waits for
// the follower, too few in sync is NOT_ENOUGH_REPLICAS, a lost follower
// drops out after replica.lag.time.max.ms; and each start leads under a new
// leader epoch.
#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "io/env.h"
#include "log/leader_epoch_checkpoint.h"
#include "log/partition_files.h"
#include "protocol/error_codes.h"
#include "protocol/messages/metadata.h"
#include "protocol/messages/produce.h"
#include "replica/kafka_source.h"
#include "support/batch_builders.h"
#include "support/serve_child.h"

namespace kq::server {
namespace {

using namespace std::chrono_literals;
using protocol::ErrorCode;
using replica::FetchPosition;
using replica::KafkaSource;

struct Produced {
  int16_t error = -1;
  int64_t base_offset = -1;
};

Produced Produce(replica::WireClient& client, int16_t acks, int count, int32_t timeout_ms = 5000) {
  std::string batch = testing::MakeSimpleBatch(0, count);
  protocol::ProduceRequest request;
  request.acks = acks;
  request.timeout_ms = timeout_ms;
  protocol::PartitionProduceData data;
  data.index = 0;
  data.records.bytes = batch;
  request.topic_data.push_back({"t", {data}});
  protocol::ProduceResponse response;
  Status s = client.Call(request, 7, &response, std::chrono::milliseconds(timeout_ms));
  REQUIRE_MESSAGE(s.ok(), s.ToString());
  REQUIRE(response.responses.size() == 1);
  REQUIRE(response.responses[0].partition_responses.size() == 1);
  const auto& p = response.responses[0].partition_responses[0];
  return {p.error_code, p.base_offset};
}

// The consumer's view: the high watermark a fetch reports, and the offsets
// of the batches it gets.
struct ConsumerView {
  int64_t high_watermark = -1;
  int64_t fetched_end = -1;  // end of the last batch returned, -1 for none
};

ConsumerView Consume(KafkaSource& consumer, int64_t from) {
  std::vector<FetchPosition> at = {{"t", PartitionId(0), Offset(from)}};
  auto f = consumer.Fetch(at, 1 << 20, 0ms);
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  REQUIRE((*f)[0].status.ok());
  ConsumerView v;
  v.high_watermark = (*f)[0].offsets.log_end.value();
  if (!(*f)[0].batches.empty()) {
    auto h = format::DecodeBatchHeader((*f)[0].batches.back());
    REQUIRE(h.ok());
    v.fetched_end = h->next_offset();
  }
  return v;
}

// Fetches as the follower from `from`; returns the end of what it got.
int64_t Follow(KafkaSource& follower, int64_t from) {
  std::vector<FetchPosition> at = {{"t", PartitionId(0), Offset(from)}};
  auto f = follower.Fetch(at, 1 << 20, 0ms);
  REQUIRE_MESSAGE(f.ok(), f.status().ToString());
  REQUIRE((*f)[0].status.ok());
  int64_t end = from;
  for (const auto& b : (*f)[0].batches) end = format::DecodeBatchHeader(b)->next_offset();
  return end;
}

std::vector<int32_t> Isr(replica::WireClient& client) {
  protocol::MetadataRequest request;
  request.topics = std::vector<protocol::MetadataRequestTopic>{{{}, std::string("t")}};
  request.allow_auto_topic_creation = false;
  protocol::MetadataResponse response;
  REQUIRE(client.Call(request, 9, &response).ok());
  REQUIRE(response.topics.size() == 1);
  REQUIRE(response.topics[0].partitions.size() == 1);
  return response.topics[0].partitions[0].isr_nodes;
}

}  // namespace

TEST_CASE("a follower holds the high watermark back; acks=all waits for it") {
  std::string dir = testing::MakeTempDir("kq-replication");
  testing::ServeChild serve(dir, {"--config", "min.insync.replicas=2", "--config",
                                  "replica.lag.time.max.ms=1500", "--config", "num.partitions=1"});
  replica::WireClient producer("127.0.0.1", serve.port());
  KafkaSource follower("127.0.0.1", serve.port(), {.replica_id = 2, .wire = {}});
  KafkaSource consumer("127.0.0.1", serve.port(), {.replica_id = -1, .wire = {}});

  // No follower yet: one replica in sync, fewer than min.insync.replicas.
  CHECK(Produce(producer, -1, 3).error == protocol::ToWire(ErrorCode::kNotEnoughReplicas));
  Produced first = Produce(producer, 1, 3);  // acks=1 needs no follower
  REQUIRE(first.error == 0);
  CHECK(first.base_offset == 0);
  CHECK(Consume(consumer, 0).high_watermark == 3);  // no follower ever: the log end
  CHECK(Isr(producer) == std::vector<int32_t>{0});

  // The follower catches up: in sync.
  CHECK(Follow(follower, 0) == 3);
  CHECK(Follow(follower, 3) == 3);
  CHECK(Isr(producer) == std::vector<int32_t>{0, 2});

  // Appended but not on the follower: consumers stop at the high watermark.
  REQUIRE(Produce(producer, 1, 3).error == 0);
  ConsumerView view = Consume(consumer, 0);
  CHECK(view.high_watermark == 3);
  CHECK(view.fetched_end == 3);
  CHECK(Consume(consumer, 3).fetched_end == -1);
  auto latest = consumer.Offsets("t", PartitionId(0));
  REQUIRE(latest.ok());
  CHECK(latest->log_end == Offset(3));  // ListOffsets latest: the high watermark
  auto leader_end = follower.Offsets("t", PartitionId(0));
  REQUIRE(leader_end.ok());
  CHECK(leader_end->log_end == Offset(6));  // a replica sees the log end

  // acks=-1 is answered only after the follower has the batch.
  std::atomic<bool> answered{false};
  Produced waited;
  std::thread acks_all([&] {
    replica::WireClient own("127.0.0.1", serve.port());
    waited = Produce(own, -1, 2);
    answered = true;
  });
  std::this_thread::sleep_for(400ms);
  CHECK(!answered);
  CHECK(Follow(follower, 3) == 8);  // takes 3..5 and the acks=-1 batch 6..7
  CHECK(!answered);                 // its fetch at 3 says it has only up to 3
  CHECK(Follow(follower, 8) == 8);  // now it has them: the high watermark moves
  acks_all.join();
  CHECK(answered);
  CHECK(waited.error == 0);
  CHECK(waited.base_offset == 6);
  CHECK(Consume(consumer, 0).high_watermark == 8);

  // In sync but not fetching: acks=-1 times out.
  CHECK(Produce(producer, -1, 1, 300).error == protocol::ToWire(ErrorCode::kRequestTimedOut));

  // The follower stops: after the lag time it is out of the ISR, the high
  // watermark is the log end again, and acks=-1 is refused.
  std::this_thread::sleep_for(1800ms);
  CHECK(Isr(producer) == std::vector<int32_t>{0});
  CHECK(Consume(consumer, 0).high_watermark == 9);
  CHECK(Produce(producer, -1, 1).error == protocol::ToWire(ErrorCode::kNotEnoughReplicas));
  std::system(("rm -rf '" + dir + "'").c_str());
}

TEST_CASE("every start leads under the next leader epoch, recorded at the log end") {
  std::string dir = testing::MakeTempDir("kq-epochs");
  std::string checkpoint = dir + "/t-0/" + log::kLeaderEpochCheckpoint;
  auto epochs = [&] {
    auto e = log::leader_epoch::Read(io::Env::Default(), checkpoint);
    REQUIRE(e.ok());
    return *e;
  };
  {
    testing::ServeChild serve(dir, {"--config", "num.partitions=1"});
    replica::WireClient producer("127.0.0.1", serve.port());
    REQUIRE(Produce(producer, 1, 3).error == 0);
    CHECK(epochs() == std::vector<log::EpochEntry>{{Epoch(0), Offset(0)}});
    serve.Kill();
  }
  {
    testing::ServeChild serve(dir, {"--config", "num.partitions=1"});
    KafkaSource reader("127.0.0.1", serve.port());
    auto end = reader.EndOffsetForEpoch("t", PartitionId(0), Epoch(0));  // opens the partition
    REQUIRE(end.ok());
    CHECK(end->epoch == Epoch(0));
    CHECK(end->end_offset == Offset(3));
    CHECK(epochs() == std::vector<log::EpochEntry>{{Epoch(0), Offset(0)}, {Epoch(1), Offset(3)}});
    replica::WireClient producer("127.0.0.1", serve.port());
    REQUIRE(Produce(producer, 1, 2).error == 0);
    std::vector<FetchPosition> at = {{"t", PartitionId(0), Offset(3)}};
    auto f = reader.Fetch(at, 1 << 20, 0ms);
    REQUIRE(f.ok());
    REQUIRE((*f)[0].batches.size() == 1);
    CHECK(format::DecodeBatchHeader((*f)[0].batches[0])->partition_leader_epoch == 1);
    serve.Kill();
  }
  {
    // A start that writes nothing still moves on: epoch 2 at 5.
    testing::ServeChild serve(dir, {"--config", "num.partitions=1"});
    KafkaSource reader("127.0.0.1", serve.port());
    REQUIRE(reader.Offsets("t", PartitionId(0)).ok());
    CHECK(epochs().back() == log::EpochEntry{Epoch(2), Offset(5)});
  }
  std::system(("rm -rf '" + dir + "'").c_str());
}

}  // namespace kq::server
