#include "client/consumer.h"

#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <utility>
#include <vector>

#include "base/encoding.h"
#include "format/record_batch_builder.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"

using namespace kq;
using namespace kq::client;

namespace {

constexpr const char* kDir = "/data";

// A log directory in memory with helpers to append records.
class Fixture {
 public:
  Fixture() {
    auto dir = log::LogDir::Open(&env_, kDir, true);
    REQUIRE(dir.ok());
    dir_.emplace(std::move(*dir));
  }

  void CreateTopic(const std::string& name, int partitions) {
    REQUIRE(dir_->CreateTopic(name, partitions, {}).ok());
  }

  // Appends one batch of records "<prefix><i>" with timestamps ts, ts+1, ...
  void Append(const std::string& topic, int32_t p, const std::string& prefix, int count,
              int64_t ts = 1000, bool control = false) {
    format::RecordBatchBuilder b({.is_control = control});
    for (int i = 0; i < count; ++i) {
      std::string v = prefix + std::to_string(i);
      b.Add(ts + i, std::string("k") + std::to_string(i), v);
    }
    auto batch = b.Finish();
    REQUIRE(batch.ok());
    log::PartitionOptions o;
    o.env = &env_;
    o.topic = topic;
    o.partition = PartitionId(p);
    auto part =
        log::Partition::Open(dir_->PartitionPath(topic, PartitionId(p)), o, log::OpenMode::kWrite);
    REQUIRE(part.ok());
    REQUIRE((*part)->Append(*batch).ok());
  }

  std::unique_ptr<Consumer> Open(bool follow = false, bool ordered = false,
                                 std::optional<int64_t> end_ts = std::nullopt,
                                 SkippedFn on_skipped = {}) {
    ConsumerOptions o{.env = &env_,
                      .log_dir = kDir,
                      .follow = follow,
                      .ordered = ordered,
                      .end_timestamp_ms = end_ts,
                      .on_skipped = std::move(on_skipped)};
    auto c = Consumer::Open(o);
    REQUIRE(c.ok());
    return std::move(*c);
  }

  // Deletes the records of t-p below `offset` (kq-topics trim).
  void Trim(const std::string& topic, int32_t p, int64_t offset) {
    log::PartitionOptions o;
    o.env = &env_;
    o.topic = topic;
    o.partition = PartitionId(p);
    auto part =
        log::Partition::Open(dir_->PartitionPath(topic, PartitionId(p)), o, log::OpenMode::kWrite);
    REQUIRE(part.ok());
    REQUIRE((*part)->AdvanceLogStart(Offset(offset)).ok());
  }

  io::MemEnv env_;
  std::optional<log::LogDir> dir_;
};

// "t:p:offset=value" for each delivered record, until the consumer finishes.
std::vector<std::string> Drain(Consumer& c, PollState* last = nullptr) {
  std::vector<std::string> out;
  RecordSink sink = [&](const ConsumedRecord& r) {
    out.push_back(fmt::format("{}:{}:{}={}", r.topic, r.partition, r.record->offset,
                              r.record->value.value_or("<null>")));
    return Status::Ok();
  };
  while (true) {
    auto s = c.Poll(sink, 3);  // a small budget exercises kMore
    REQUIRE(s.ok());
    if (*s != PollState::kMore) {
      if (last != nullptr) *last = *s;
      return out;
    }
  }
}

void AssignAll(Fixture& f, Consumer& c, const std::vector<std::string>& topics,
               StartPosition start) {
  auto tps = c.PartitionsOf(topics);
  REQUIRE(tps.ok());
  for (const auto& tp : *tps) REQUIRE(c.Assign(tp, start).ok());
  (void)f;
}

}  // namespace

TEST_CASE("consumer: topic selections parse TOPIC and TOPIC:PARTITION") {
  auto a = ParseTopicSelection("orders");
  REQUIRE(a.ok());
  CHECK(a->topic == "orders");
  CHECK(!a->partition.has_value());
  auto b = ParseTopicSelection("orders:3");
  REQUIRE(b.ok());
  CHECK(b->topic == "orders");
  CHECK(*b->partition == 3);
  CHECK(!ParseTopicSelection("orders:x").ok());
  CHECK(!ParseTopicSelection("orders:").ok());
  CHECK(!ParseTopicSelection(":1").ok());
  CHECK(!ParseTopicSelection("orders:-1").ok());
}

TEST_CASE("consumer: a missing topic or partition is named") {
  Fixture f;
  f.CreateTopic("t", 2);
  auto c = f.Open();
  std::vector<TopicSelection> missing{{"nope", std::nullopt}};
  auto r = c->Resolve(missing);
  REQUIRE(!r.ok());
  CHECK(r.status().IsNotFound());
  CHECK(r.status().message().find("topic 'nope' does not exist") != std::string::npos);
  std::vector<TopicSelection> bad_partition{{"t", 5}};
  auto r2 = c->Resolve(bad_partition);
  REQUIRE(!r2.ok());
  CHECK(r2.status().message().find("no partition 5") != std::string::npos);
  std::vector<TopicSelection> both{{"t", 1}, {"t", std::nullopt}};
  auto r3 = c->Resolve(both);
  REQUIRE(r3.ok());
  CHECK(r3->size() == 2);  // duplicates removed
}

TEST_CASE("consumer: offset specs position every partition") {
  Fixture f;
  f.CreateTopic("t", 2);
  f.Append("t", 0, "a", 5, 1000);  // offsets 0..4, ts 1000..1004
  f.Append("t", 0, "b", 5, 2000);  // offsets 5..9, ts 2000..2004
  f.Append("t", 1, "c", 3, 1500);  // offsets 0..2

  SUBCASE("beginning reads everything, partition by partition") {
    auto c = f.Open();
    AssignAll(f, *c, {"t"}, StartPosition::Beginning());
    auto out = Drain(*c);
    CHECK(out.size() == 13);
  }
  SUBCASE("end reads nothing") {
    auto c = f.Open();
    AssignAll(f, *c, {"t"}, StartPosition::End());
    PollState last;
    CHECK(Drain(*c, &last).empty());
    CHECK(last == PollState::kFinished);
  }
  SUBCASE("-N takes the last N of each partition, even from the middle of a batch") {
    auto c = f.Open();
    AssignAll(f, *c, {"t"}, StartPosition::FromEnd(2));
    auto out = Drain(*c);
    CHECK(out == std::vector<std::string>{"t:0:8=b3", "t:0:9=b4", "t:1:1=c1", "t:1:2=c2"});
  }
  SUBCASE("-N larger than a partition starts at its beginning") {
    auto c = f.Open();
    AssignAll(f, *c, {"t"}, StartPosition::FromEnd(7));
    CHECK(Drain(*c).size() == 7 + 3);
  }
  SUBCASE("absolute offsets are clamped to the log") {
    auto c = f.Open();
    REQUIRE(c->Assign({"t", 0}, StartPosition::AtOffset(7)).ok());
    REQUIRE(c->Assign({"t", 1}, StartPosition::AtOffset(99)).ok());
    auto out = Drain(*c);
    CHECK(out == std::vector<std::string>{"t:0:7=b2", "t:0:8=b3", "t:0:9=b4"});
  }
  SUBCASE("timestamps find the first record at or after them") {
    auto c = f.Open();
    AssignAll(f, *c, {"t"}, StartPosition::AtTimestamp(1502));
    auto out = Drain(*c);
    CHECK(out == std::vector<std::string>{"t:0:5=b0", "t:0:6=b1", "t:0:7=b2", "t:0:8=b3",
                                          "t:0:9=b4", "t:1:2=c2"});
  }
  SUBCASE("an end timestamp stops each partition before it") {
    auto c = f.Open(false, false, 1003);
    AssignAll(f, *c, {"t"}, StartPosition::Beginning());
    auto out = Drain(*c);
    CHECK(out == std::vector<std::string>{"t:0:0=a0", "t:0:1=a1", "t:0:2=a2"});
  }
  SUBCASE("one partition of a topic") {
    auto c = f.Open();
    std::vector<TopicSelection> sel{{"t", 1}};
    auto tps = c->Resolve(sel);
    REQUIRE(tps.ok());
    REQUIRE(c->Assign((*tps)[0], StartPosition::Beginning()).ok());
    CHECK(Drain(*c) == std::vector<std::string>{"t:1:0=c0", "t:1:1=c1", "t:1:2=c2"});
  }
}

TEST_CASE("consumer: reading stops at the log end as it was when reading started") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "a", 3);
  auto c = f.Open();
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  f.Append("t", 0, "late", 2);  // written after the snapshot
  REQUIRE(c->Refresh().ok());
  PollState last;
  CHECK(Drain(*c, &last).size() == 3);
  CHECK(last == PollState::kFinished);
  CHECK(c->Positions().at({"t", 0}).offset == 3);
}

TEST_CASE("consumer: a follower sees later appends after Refresh and never finishes") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "a", 2);
  auto c = f.Open(/*follow=*/true);
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  PollState last;
  CHECK(Drain(*c, &last).size() == 2);
  CHECK(last == PollState::kCaughtUp);
  f.Append("t", 0, "b", 2);
  CHECK(Drain(*c).empty());  // not refreshed yet
  REQUIRE(c->Refresh().ok());
  CHECK(Drain(*c, &last) == std::vector<std::string>{"t:0:2=b0", "t:0:3=b1"});
  CHECK(last == PollState::kCaughtUp);
}

TEST_CASE("consumer: records gone below the log start are skipped and reported, never an error") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "a", 5);
  f.Append("t", 0, "b", 5);
  std::vector<std::string> skipped;
  auto c = f.Open(/*follow=*/true, false, std::nullopt,
                  [&](std::string_view topic, int32_t p, Offset wanted, Offset resumed_at) {
                    skipped.push_back(
                        fmt::format("{}:{} {}->{}", topic, p, wanted.value(), resumed_at.value()));
                  });
  SUBCASE("a start below the log start") {
    f.Trim("t", 0, 5);
    REQUIRE(c->Assign({"t", 0}, StartPosition::AtOffset(2)).ok());
    CHECK(skipped == std::vector<std::string>{"t:0 2->5"});
    CHECK(Drain(*c).front() == "t:0:5=b0");
  }
  SUBCASE("records trimmed while a follower had not read them yet") {
    REQUIRE(c->Assign({"t", 0}, StartPosition::Beginning()).ok());
    CHECK(skipped.empty());
    f.Trim("t", 0, 7);
    REQUIRE(c->Refresh().ok());
    const auto out = Drain(*c);
    CHECK(skipped == std::vector<std::string>{"t:0 0->7"});
    CHECK(out == std::vector<std::string>{"t:0:7=b2", "t:0:8=b3", "t:0:9=b4"});
  }
}

TEST_CASE("consumer: control batches are skipped but their offsets are passed") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "a", 2);
  f.Append("t", 0, "marker", 1, 1000, /*control=*/true);
  f.Append("t", 0, "b", 1);
  auto c = f.Open();
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  CHECK(Drain(*c) == std::vector<std::string>{"t:0:0=a0", "t:0:1=a1", "t:0:3=b0"});
  CHECK(c->Positions().at({"t", 0}).offset == 4);
}

TEST_CASE("consumer: ordered merges partitions by timestamp") {
  Fixture f;
  f.CreateTopic("t", 3);
  f.Append("t", 0, "p0-", 3, 10);   // 10 11 12
  f.Append("t", 1, "p1-", 3, 5);    // 5 6 7
  f.Append("t", 1, "p1x-", 1, 11);  // 11
  f.Append("t", 2, "p2-", 2, 8);    // 8 9
  auto c = f.Open(false, /*ordered=*/true);
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  std::vector<std::string> values;
  RecordSink sink = [&](const ConsumedRecord& r) {
    values.push_back(std::string(*r.record->value));
    return Status::Ok();
  };
  while (true) {
    auto s = c->Poll(sink, 2);
    REQUIRE(s.ok());
    if (*s == PollState::kFinished) break;
  }
  // Ties (ts 11) go to the lower partition.
  CHECK(values == std::vector<std::string>{"p1-0", "p1-1", "p1-2", "p2-0", "p2-1", "p0-0", "p0-1",
                                           "p1x-0", "p0-2"});
}

TEST_CASE("consumer: RequestStop in the sink stops after that record, position included") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "a", 10);
  auto c = f.Open();
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  int seen = 0;
  auto s = c->Poll([&](const ConsumedRecord&) {
    if (++seen == 4) c->RequestStop();
    return Status::Ok();
  });
  REQUIRE(s.ok());
  CHECK(*s == PollState::kStopped);
  CHECK(seen == 4);
  CHECK(c->Positions().at({"t", 0}).offset == 4);
}

TEST_CASE("consumer: a failing sink keeps the refused record undelivered") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "a", 5);
  auto c = f.Open();
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  int seen = 0;
  auto s = c->Poll([&](const ConsumedRecord&) {
    return ++seen == 3 ? Status::IoError("broken pipe") : Status::Ok();
  });
  CHECK(!s.ok());
  CHECK(c->Positions().at({"t", 0}).offset == 2);
}

TEST_CASE("consumer: a corrupt batch is an error naming partition, file and position") {
  Fixture f;
  f.CreateTopic("t", 1);
  f.Append("t", 0, "good", 2);
  f.Append("t", 0, "bad", 2);
  f.Append("t", 0, "after", 2);
  // Flip a byte inside the second batch's records (covered by the CRC).
  std::string path = f.dir_->PartitionPath("t", PartitionId(0)) + "/00000000000000000000.log";
  auto bytes = f.env_.ReadFileToString(path);
  REQUIRE(bytes.ok());
  const size_t first =
      format::kLogOverhead + DecodeFixed32BE(bytes->data() + format::kBatchLengthPos);
  std::string damaged = *bytes;
  damaged[first + format::kBatchHeaderSize + 3] ^= 0x40;
  REQUIRE(f.env_.WriteFileAtomic(path, damaged).ok());

  auto c = f.Open();
  AssignAll(f, *c, {"t"}, StartPosition::Beginning());
  std::vector<std::string> values;
  Status err;
  while (true) {
    auto s = c->Poll([&](const ConsumedRecord& r) {
      values.push_back(std::string(*r.record->value));
      return Status::Ok();
    });
    if (!s.ok()) {
      err = s.status();
      break;
    }
    REQUIRE(*s == PollState::kMore);
  }
  CHECK(values == std::vector<std::string>{"good0", "good1"});  // the records before it
  CHECK(err.IsCorruption());
  CHECK(err.message().find("t-0") != std::string::npos);
  CHECK(err.message().find("00000000000000000000.log") != std::string::npos);
  CHECK(err.message().find(fmt::format("position {}", first)) != std::string::npos);
  CHECK(err.message().find("offset 2") != std::string::npos);
}
