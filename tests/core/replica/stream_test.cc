// The replication stream: frames round-trip; every truncation and every
// flipped bit is refused naming the frame and byte position; send | receive
// gives byte-identical logs, resumes from a receiver's state and resolves
// divergence through the sender's epochs.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include <fmt/format.h>

#include "format/record_batch.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "replica/dir_source.h"
#include "replica/state_file.h"
#include "replica/stream_format.h"
#include "replica/stream_receiver.h"
#include "replica/stream_sender.h"
#include "support/log_helpers.h"
#include "leader_batch.h"

using namespace kq;
using namespace kq::replica;

namespace {

using kq::testing::LeaderBatch;

stream::StreamReader ReaderOver(const std::string& bytes, size_t* pos, size_t chunk = 7) {
  return stream::StreamReader([&bytes, pos, chunk](char* buf, size_t n) -> Result<size_t> {
    size_t k = std::min({n, chunk, bytes.size() - *pos});
    std::memcpy(buf, bytes.data() + *pos, k);
    *pos += k;
    return k;
  });
}

struct Env {
  io::MemEnv env;
  log::LogDir src = Open("/src");

  log::LogDir Open(const std::string& path) {
    auto d = log::LogDir::Open(&env, path, true);
    REQUIRE(d.ok());
    return *d;
  }
  void Write(log::LogDir& dir, const std::string& topic, std::vector<int32_t> epochs,
             const std::string& tag = "") {
    if (!dir.DescribeTopic(topic).ok()) {
      log::TopicConfig c;
      REQUIRE(c.Set("segment.bytes", "1024").ok());
      REQUIRE(dir.CreateTopic(topic, 1, c).ok());
    }
    auto p = dir.OpenPartition(topic, PartitionId(0), log::OpenMode::kWrite);
    REQUIRE(p.ok());
    for (int32_t e : epochs) {
      std::string b = LeaderBatch((*p)->log_end_offset().value(), e, 3, tag);
      REQUIRE((*p)->AppendAsFollower(std::span<const std::string>(&b, 1)).ok());
    }
  }
  std::string SendAll(const FollowerStates* since = nullptr) {
    auto source = DirSource::Open(&env, "/src");
    REQUIRE(source.ok());
    std::string out;
    SendOptions o;
    o.since = since;
    o.max_frame_bytes = 200;  // many frames
    auto s = Send(**source, o, [&](std::string_view b) {
      out.append(b);
      return Status::Ok();
    });
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return out;
  }
  Result<SyncSummary> ReceiveInto(const std::string& path, const std::string& bytes) {
    log::LogDir dst = Open(path);
    size_t pos = 0;
    stream::StreamReader reader = ReaderOver(bytes, &pos);
    return Receive(reader, dst);
  }
  std::string AllBytes(const std::string& path) {
    log::LogDir d = Open(path);
    auto p = d.OpenPartition("t", PartitionId(0), log::OpenMode::kRead);
    REQUIRE(p.ok());
    auto c = (*p)->Read((*p)->log_start_offset(), 1 << 24);
    REQUIRE(c.ok());
    return c->bytes;
  }
  Offset End(const std::string& path) {
    log::LogDir d = Open(path);
    auto p = d.OpenPartition("t", PartitionId(0), log::OpenMode::kRead);
    REQUIRE(p.ok());
    return (*p)->log_end_offset();
  }
};

}  // namespace

TEST_CASE("stream: frames round-trip") {
  std::string bytes;
  stream::AppendHeader(&bytes);
  stream::AppendTopic({"orders", 3, {{"cleanup.policy", "compact"}}}, &bytes);
  stream::AppendPartition({"orders",
                           PartitionId(2),
                           {Offset(5), Offset(40)},
                           {{Epoch(0), Offset(5)}, {Epoch(3), Offset(20)}}},
                          &bytes);
  const std::string batches = LeaderBatch(5, 0, 2) + LeaderBatch(7, 3, 4);
  stream::AppendBatches("orders", PartitionId(2), batches, &bytes);
  stream::AppendEnd({3, 2, static_cast<int64_t>(batches.size())}, &bytes);
  size_t pos = 0;
  stream::StreamReader r = ReaderOver(bytes, &pos);
  auto t = r.Next();
  REQUIRE(t.ok());
  CHECK(t->type == stream::FrameType::kTopic);
  CHECK(t->topic.name == "orders");
  CHECK(t->topic.partitions == 3);
  CHECK(t->topic.configs.at("cleanup.policy") == "compact");
  auto p = r.Next();
  REQUIRE(p.ok());
  CHECK(p->partition.partition == PartitionId(2));
  CHECK(p->partition.offsets.log_end == Offset(40));
  CHECK(p->partition.epochs.size() == 2);
  auto b = r.Next();
  REQUIRE(b.ok());
  REQUIRE(b->batches.batches.size() == 2);
  CHECK(b->batches.batches[0] + b->batches.batches[1] == batches);
  auto e = r.Next();
  REQUIRE(e.ok());
  CHECK(e->type == stream::FrameType::kEnd);
  CHECK(e->end.batches == 2);
  CHECK(e->number == 4);
}

TEST_CASE("stream: a stream cut at any byte is refused, naming the frame and position") {
  Env e;
  e.Write(e.src, "t", {0, 0, 1});
  const std::string bytes = e.SendAll();
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    auto r = e.ReceiveInto(fmt::format("/cut{}", cut), bytes.substr(0, cut));
    REQUIRE_MESSAGE(!r.ok(), "cut at ", cut);
    CHECK_MESSAGE(r.status().IsCorruption(), r.status().ToString());
    if (cut >= stream::kHeaderSize) {
      CHECK_MESSAGE(r.status().message().find("frame ") != std::string::npos, r.status().message());
      CHECK_MESSAGE(r.status().message().find("at byte ") != std::string::npos,
                    r.status().message());
    }
  }
  REQUIRE(e.ReceiveInto("/whole", bytes).ok());
  CHECK(e.AllBytes("/whole") == e.AllBytes("/src"));
}

TEST_CASE("stream: every flipped bit is refused and nothing of the bad frame is applied") {
  Env e;
  e.Write(e.src, "t", {0, 0, 1, 1});
  const std::string bytes = e.SendAll();
  const std::string good = [&] {
    REQUIRE(e.ReceiveInto("/good", bytes).ok());
    return e.AllBytes("/good");
  }();
  for (size_t i = 0; i < bytes.size(); i += 3) {
    std::string bad = bytes;
    bad[i] ^= static_cast<char>(1 << (i % 8));
    const std::string dir = fmt::format("/flip{}", i);
    auto r = e.ReceiveInto(dir, bad);
    REQUIRE_MESSAGE(!r.ok(), "flip at ", i);
    // What arrived before the bad frame is a prefix of the good log.
    log::LogDir d = e.Open(dir);
    auto p = d.OpenPartition("t", PartitionId(0), log::OpenMode::kRead);
    if (!p.ok()) continue;  // the TOPIC frame itself was bad
    auto c = (*p)->Read((*p)->log_start_offset(), 1 << 24);
    REQUIRE(c.ok());
    CHECK(good.starts_with(c->bytes));
  }
}

TEST_CASE("stream: hostile frames are refused without a crash") {
  std::string bytes;
  stream::AppendHeader(&bytes);
  SUBCASE("not a stream") { bytes = "hello world, no header"; }
  SUBCASE("huge length") { bytes += std::string("\x7f\xff\xff\xff\0\0\0\0\1", 9); }
  SUBCASE("batches before their partition") {
    stream::AppendTopic({"t", 1, {}}, &bytes);
    stream::AppendBatches("t", PartitionId(0), LeaderBatch(0, 0, 1), &bytes);
  }
  SUBCASE("partition outside the topic") {
    stream::AppendTopic({"t", 1, {}}, &bytes);
    stream::AppendPartition({"t", PartitionId(7), {Offset(0), Offset(0)}, {}}, &bytes);
  }
  SUBCASE("bad topic name") { stream::AppendTopic({"../etc", 1, {}}, &bytes); }
  SUBCASE("garbage in a batches frame") {
    stream::AppendTopic({"t", 1, {}}, &bytes);
    stream::AppendPartition({"t", PartitionId(0), {Offset(0), Offset(1)}, {}}, &bytes);
    stream::AppendBatches("t", PartitionId(0), "garbage, not a batch", &bytes);
  }
  stream::AppendEnd({0, 0, 0}, &bytes);
  Env e;
  auto r = e.ReceiveInto("/dst", bytes);
  CHECK(!r.ok());
}

TEST_CASE("stream: resumed from the receiver's state, only what it lacks is sent") {
  Env e;
  e.Write(e.src, "t", {0, 0, 0});
  REQUIRE(e.ReceiveInto("/dst", e.SendAll()).ok());
  e.Write(e.src, "t", {0, 2});
  auto states = ReadFollowerStates(e.Open("/dst"));
  REQUIRE(states.ok());
  auto parsed = ParseFollowerStates(FormatFollowerStates(*states), "state");
  REQUIRE(parsed.ok());
  const std::string delta = e.SendAll(&*parsed);
  auto r = e.ReceiveInto("/dst", delta);
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->batches == 2);
  CHECK(e.AllBytes("/dst") == e.AllBytes("/src"));
  CHECK(delta.size() < e.SendAll().size());
  // A full stream on a receiver that has everything appends nothing.
  auto again = e.ReceiveInto("/dst", e.SendAll());
  REQUIRE(again.ok());
  CHECK(again->batches == 0);
}

TEST_CASE("stream: a receiver's divergent tail is truncated by the sender's epochs") {
  Env e;
  e.Write(e.src, "t", {0, 0});
  log::LogDir dst = e.Open("/dst");
  REQUIRE(e.ReceiveInto("/dst", e.SendAll()).ok());
  e.Write(dst, "t", {1, 1}, "old-");
  e.Write(e.src, "t", {2, 2, 2}, "new-");
  auto states = ReadFollowerStates(dst);
  REQUIRE(states.ok());
  auto r = e.ReceiveInto("/dst", e.SendAll(&*states));
  REQUIRE_MESSAGE(r.ok(), r.status().ToString());
  CHECK(r->truncations == 1);
  CHECK(e.AllBytes("/dst") == e.AllBytes("/src"));
}

TEST_CASE("state file: bad input is InvalidArgument naming the file") {
  for (const char* text :
       {"", "[]", "{\"kq_replicate_state\": 2}",
        "{\"kq_replicate_state\": 1, \"partitions\": [{\"topic\": 1}]}",
        "{\"kq_replicate_state\": 1, \"partitions\": [{\"topic\": \"t\", "
        "\"partition\": 0, \"log_start\": 5, \"log_end\": 1, \"epochs\": []}]}"}) {
    auto r = ParseFollowerStates(text, "st.json");
    REQUIRE(!r.ok());
    CHECK(r.status().IsInvalidArgument());
    CHECK(r.status().message().find("st.json") != std::string::npos);
  }
}

TEST_CASE("stream: golden bytes of the worked example in core/FORMAT.md") {
  auto hex = [](std::string_view b) {
    std::string out;
    for (unsigned char c : b) out += fmt::format("{}{:02x}", out.empty() ? "" : " ", c);
    return out;
  };
  std::string header, topic, partition, end;
  stream::AppendHeader(&header);
  stream::AppendTopic({"t", 1, {{"cleanup.policy", "compact"}}}, &topic);
  stream::AppendPartition({"t", PartitionId(0), {Offset(0), Offset(5)}, {{Epoch(0), Offset(0)}}},
                          &partition);
  stream::AppendEnd({2, 0, 0}, &end);
  CHECK(hex(header) == "4b 51 52 53 00 01 00 00");
  CHECK(hex(topic) ==
        "00 00 00 25 1e ad ac 0f 01 00 01 74 00 00 00 01 00 00 00 01 00 0e 63 6c 65 61 6e 75 "
        "70 2e 70 6f 6c 69 63 79 00 07 63 6f 6d 70 61 63 74");
  CHECK(hex(partition) ==
        "00 00 00 28 0a 99 9a e9 02 00 01 74 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
        "00 00 00 05 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00");
  CHECK(hex(end) ==
        "00 00 00 19 1a ab 29 4a 04 00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 00 00 00 00 "
        "00 00 00 00 00");
}
