#include "pipe/position.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "format/record_batch_builder.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using namespace kq;
using pipe::DecodePosition;
using pipe::EncodePosition;
using pipe::FileOffset;
using pipe::Position;
using pipe::TopicOffset;

namespace {

log::LogDir OpenDir(io::Env* env) {
  auto dir = log::LogDir::Open(env, "/d", true);
  REQUIRE(dir.ok());
  return std::move(dir).value();
}

// Appends one batch of `count` records; the last carries `position_value`
// (when given) as its kq.position header.
void AppendBatch(log::Partition& p, int count, std::optional<std::string> position_value,
                 format::Compression codec = format::Compression::kNone) {
  format::RecordBatchBuilder b({.compression = codec});
  for (int i = 0; i < count; ++i) {
    std::vector<format::HeaderView> h = {{"other", std::string_view("x")}};
    if (i + 1 == count && position_value) h.push_back({pipe::kPositionHeader, *position_value});
    b.Add(1000, std::nullopt, std::string_view("v"), h);
  }
  auto batch = b.Finish();
  REQUIRE(batch.ok());
  REQUIRE(p.Append(*batch).ok());
}

std::string TopicPos(int32_t partition, int64_t next) {
  Position pos;
  pos.Set(TopicOffset{"in", partition, next});
  return EncodePosition(pos).value();
}

}  // namespace

TEST_CASE("a position encodes to the documented text and decodes back") {
  Position p;
  p.Set(TopicOffset{"orders", 0, 42});
  p.Set(TopicOffset{"orders", 3, 7});
  p.Set(FileOffset{"/var/log/a b.log", 2049, 1234, 9000, 4096, 0xdeadbeef});
  auto text = EncodePosition(p);
  REQUIRE(text.ok());
  CHECK(*text ==
        "kq.position/1\nT 0 42 orders\nT 3 7 orders\n"
        "F 2049 1234 9000 4096 deadbeef /var/log/a b.log\n");
  auto back = DecodePosition(*text);
  REQUIRE(back.ok());
  CHECK(*back == p);
  // Set replaces by key.
  p.Set(TopicOffset{"orders", 0, 50});
  CHECK(p.FindTopic("orders", 0)->next_offset == 50);
  CHECK(p.topics.size() == 2);
  CHECK(EncodePosition(Position{}).value() == "kq.position/1\n");
}

TEST_CASE("hostile position values are refused with the line and the reason") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "newline"},
      {"kq.position/2\n", "version '2' is not supported"},
      {"garbage\n", "expected 'kq.position/1'"},
      {"kq.position/1\nT 0 42 orders", "newline"},
      {"kq.position/1\nX 1\n", "line 2: unknown entry"},
      {"kq.position/1\nT -1 42 orders\n", "line 2"},
      {"kq.position/1\nT 0 042 orders\n", "line 2"},
      {"kq.position/1\nT 0 99999999999999999999 orders\n", "line 2"},
      {"kq.position/1\nT 0 1 bad/name\n", "line 2"},
      {"kq.position/1\nT 0 1 t\nT 0 2 t\n", "line 3: topic 't' partition 0 twice"},
      {"kq.position/1\nF 1 2 3 4 zzzzzzzz /p\n", "line 2"},
      {"kq.position/1\nF 1 2 3 4 0000000 /p\n", "line 2"},
      {"kq.position/1\nF 1 2 3 9 00000000 /p\n", "head length"},
      {"kq.position/1\nF 1 2 3 0 00000000 \n", "line 2"},
      {"kq.position/1\n\n", "line 2: unknown entry"},
  };
  for (const auto& [value, want] : cases) {
    CAPTURE(value);
    auto p = DecodePosition(value);
    REQUIRE(!p.ok());
    CHECK(p.status().IsInvalidArgument());
    CHECK(p.status().message().find(want) != std::string::npos);
  }
  Position bad;
  bad.Set(FileOffset{"a\nb", 1, 1, 0, 0, 0});
  CHECK(!EncodePosition(bad).ok());
}

TEST_CASE("the latest position is read back from the last batch that carries one") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  REQUIRE(dir.CreateTopic("out", 2, {}).ok());
  auto p = dir.OpenPartition("out", PartitionId(1), log::OpenMode::kWrite);
  REQUIRE(p.ok());

  auto none = pipe::ReadLatestPosition(dir, "out", 1);
  REQUIRE(none.ok());
  CHECK(!none->has_value());

  AppendBatch(**p, 3, TopicPos(0, 3));                              // offsets 0-2
  AppendBatch(**p, 2, TopicPos(0, 5), format::Compression::kZstd);  // 3-4
  AppendBatch(**p, 4, std::nullopt);                                // 5-8: another writer's
  auto latest = pipe::ReadLatestPosition(dir, "out", 1);
  REQUIRE(latest.ok());
  REQUIRE(latest->has_value());
  CHECK((*latest)->offset == 4);
  CHECK((*latest)->position.FindTopic("in", 0)->next_offset == 5);

  // A position header on a record other than the last one does not count.
  {
    format::RecordBatchBuilder b;
    const std::string v = TopicPos(0, 99);
    std::vector<format::HeaderView> h = {{pipe::kPositionHeader, std::string_view(v)}};
    b.Add(1000, std::nullopt, std::string_view("a"), h);
    b.Add(1000, std::nullopt, std::string_view("b"), {});
    auto batch = b.Finish();
    REQUIRE((*p)->Append(*batch).ok());
  }
  latest = pipe::ReadLatestPosition(dir, "out", 1);
  REQUIRE(latest.ok());
  CHECK((*latest)->position.FindTopic("in", 0)->next_offset == 5);

  // The other partition has none.
  CHECK(!pipe::ReadLatestPosition(dir, "out", 0).value().has_value());
  CHECK(pipe::ReadLatestPosition(dir, "missing", 0).status().IsNotFound());
}

TEST_CASE("a garbled position header is Corruption naming topic, partition and offset") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  REQUIRE(dir.CreateTopic("out", 1, {}).ok());
  auto p = dir.OpenPartition("out", PartitionId(0), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  AppendBatch(**p, 2, TopicPos(0, 2));
  AppendBatch(**p, 3, std::string("kq.position/1\nT zero\n"));  // offsets 2-4
  auto latest = pipe::ReadLatestPosition(dir, "out", 0);
  REQUIRE(!latest.ok());
  CHECK(latest.status().IsCorruption());
  CHECK(latest.status().message().find("topic 'out' partition 0 offset 4") != std::string::npos);
  CHECK(latest.status().message().find("line 2") != std::string::npos);
}

TEST_CASE("a scan goes back past many batches without a position, in growing windows") {
  io::MemEnv env;
  log::LogDir dir = OpenDir(&env);
  REQUIRE(dir.CreateTopic("out", 1, {}).ok());
  auto p = dir.OpenPartition("out", PartitionId(0), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  AppendBatch(**p, 5, TopicPos(1, 10));
  AppendBatch(**p, 5, TopicPos(0, 20));
  for (int i = 0; i < 3000; ++i) AppendBatch(**p, 1, std::nullopt);
  AppendBatch(**p, 5, TopicPos(0, 30));

  auto latest = pipe::ReadLatestPosition(dir, "out", 0);
  REQUIRE(latest.ok());
  CHECK((*latest)->position.FindTopic("in", 0)->next_offset == 30);

  // Each wanted input partition at its newest entry; one never recorded is absent.
  auto offsets = pipe::ReadInputOffsets(dir, "out", 0, "in", {0, 1, 2});
  REQUIRE(offsets.ok());
  REQUIRE(offsets->size() == 2);
  CHECK((*offsets)[0] == TopicOffset{"in", 0, 30});
  CHECK((*offsets)[1] == TopicOffset{"in", 1, 10});

  // Every position, newest first.
  std::vector<int64_t> seen;
  REQUIRE(
      pipe::ScanPositionsBackward(dir, "out", 0, [&](const pipe::FoundPosition& f) -> Result<bool> {
        seen.push_back(f.offset);
        return true;
      }).ok());
  CHECK(seen == std::vector<int64_t>{3014, 9, 4});
}

TEST_CASE("WithoutPosition drops an upstream stage's position and keeps the rest") {
  std::vector<format::HeaderView> h = {{"a", std::string_view("1")},
                                       {pipe::kPositionHeader, std::string_view("x")},
                                       {"b", std::nullopt}};
  auto out = pipe::WithoutPosition(h);
  REQUIRE(out.size() == 2);
  CHECK(out[0].key == "a");
  CHECK(out[1].key == "b");
}
