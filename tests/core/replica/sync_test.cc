// The sync rules (sync.h) from a log directory into another, on MemEnv:
// continue from DEST's end, a moved log start, a compacted source, divergence
// by leader epochs, a corrupt source batch, idempotence.
#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "format/record_batch.h"
#include "io/mem_env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "log/partition_files.h"
#include "replica/dir_source.h"
#include "replica/sync.h"
#include "support/log_helpers.h"
#include "leader_batch.h"

using namespace kq;

namespace {

using kq::testing::LeaderBatch;

replica::SyncOptions Topics(std::vector<std::string> globs) {
  replica::SyncOptions o;
  o.topics = std::move(globs);
  return o;
}

struct Dirs {
  io::MemEnv env;
  log::LogDir src = Open("/src");
  log::LogDir dst = Open("/dst");

  log::LogDir Open(const std::string& path) {
    auto d = log::LogDir::Open(&env, path, true);
    REQUIRE_MESSAGE(d.ok(), d.status().ToString());
    return *d;
  }

  void CreateTopic(log::LogDir& dir, const std::string& name, int partitions = 1,
                   std::map<std::string, std::string> configs = {{"segment.bytes", "1024"}}) {
    log::TopicConfig config;
    for (const auto& [k, v] : configs) REQUIRE(config.Set(k, v).ok());
    REQUIRE(dir.CreateTopic(name, partitions, config).ok());
  }

  std::unique_ptr<log::Partition> Part(log::LogDir& dir, const std::string& topic, int p = 0) {
    auto part = dir.OpenPartition(topic, PartitionId(p), log::OpenMode::kWrite);
    REQUIRE_MESSAGE(part.ok(), part.status().ToString());
    return std::move(*part);
  }

  // Appends batches of `count` records with the given epochs at the log end.
  void Write(log::LogDir& dir, const std::string& topic, std::vector<int32_t> epochs, int count = 3,
             const std::string& tag = "") {
    auto p = Part(dir, topic);
    for (int32_t e : epochs) {
      std::string b = LeaderBatch(p->log_end_offset().value(), e, count, tag);
      auto r = p->AppendAsFollower(std::span<const std::string>(&b, 1));
      REQUIRE_MESSAGE(r.ok(), r.status().ToString());
    }
    REQUIRE(p->Close().ok());
  }

  Result<replica::SyncSummary> Sync(replica::SyncOptions options = {}) {
    auto source = replica::DirSource::Open(&env, "/src");
    REQUIRE_MESSAGE(source.ok(), source.status().ToString());
    return replica::Sync(**source, dst, options);
  }

  replica::SyncSummary SyncOk(replica::SyncOptions options = {}) {
    auto s = Sync(options);
    REQUIRE_MESSAGE(s.ok(), s.status().ToString());
    return *s;
  }

  // Every .log file of a partition, by name.
  std::map<std::string, std::string> LogFiles(const std::string& dir, const std::string& part) {
    std::map<std::string, std::string> out;
    auto names = env.ListDir(dir + "/" + part);
    REQUIRE(names.ok());
    for (const std::string& n : *names) {
      if (n.size() > 4 && n.ends_with(".log")) {
        auto bytes = env.ReadFileToString(dir + "/" + part + "/" + n);
        REQUIRE(bytes.ok());
        out[n] = *bytes;
      }
    }
    return out;
  }

  void CheckIdentical(const std::string& part = "t-0") {
    auto a = LogFiles("/src", part);
    auto b = LogFiles("/dst", part);
    CHECK(a.size() == b.size());
    CHECK(a == b);
    auto ea = env.ReadFileToString("/src/" + part + "/" + log::kLeaderEpochCheckpoint);
    auto eb = env.ReadFileToString("/dst/" + part + "/" + log::kLeaderEpochCheckpoint);
    REQUIRE(ea.ok());
    REQUIRE(eb.ok());
    CHECK(*ea == *eb);
  }

  Offset End(log::LogDir& dir, const std::string& topic = "t") {
    return Part(dir, topic)->log_end_offset();
  }
};

}  // namespace

TEST_CASE("sync: copies topics, configs and batches byte for byte; a second run copies nothing") {
  Dirs d;
  d.CreateTopic(d.src, "t", 1, {{"segment.bytes", "1024"}, {"retention.ms", "-1"}});
  d.Write(d.src, "t", {0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 4, 4, 4, 4});
  replica::SyncSummary first = d.SyncOk();
  CHECK(first.topics_created == 1);
  CHECK(first.partitions == 1);
  CHECK(first.batches == 15);
  CHECK(first.truncations == 0);
  CHECK(d.LogFiles("/src", "t-0").size() > 1);  // several segments
  d.CheckIdentical();
  auto info = d.dst.DescribeTopic("t");
  REQUIRE(info.ok());
  CHECK(*info->config.Get("retention.ms") == "-1");
  CHECK(*info->config.Get("segment.bytes") == "1024");

  replica::SyncSummary second = d.SyncOk();
  CHECK(second.topics_created == 0);
  CHECK(second.batches == 0);
  CHECK(second.bytes == 0);
  CHECK(second.total_lag() == 0);
  d.CheckIdentical();
}

TEST_CASE("sync: continues from DEST's end as the source grows") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.Write(d.src, "t", {0, 0, 0});
  CHECK(d.SyncOk().batches == 3);
  d.Write(d.src, "t", {0, 2, 2, 2});
  replica::SyncSummary s = d.SyncOk();
  CHECK(s.batches == 4);
  CHECK(s.lag.size() == 1);
  CHECK(s.lag[0].dest_end == Offset(21));
  d.CheckIdentical();
}

TEST_CASE("sync: --topic globs select topics; partitions added at the source follow") {
  Dirs d;
  d.CreateTopic(d.src, "orders", 2);
  d.CreateTopic(d.src, "order-audit");
  d.CreateTopic(d.src, "users");
  d.Write(d.src, "users", {0});
  CHECK(d.SyncOk(Topics({"order*"})).topics_created == 2);
  auto names = d.dst.ListTopics();
  REQUIRE(names.ok());
  CHECK(*names == std::vector<std::string>{"order-audit", "orders"});
  REQUIRE(d.src.AddPartitions("orders", 3).ok());
  CHECK(d.SyncOk(Topics({"orders"})).partitions == 3);
  CHECK(d.dst.DescribeTopic("orders")->partitions == 3);
}

TEST_CASE("sync: a source log start past DEST's end restarts DEST there") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.Write(d.src, "t", {0, 0});
  d.SyncOk();
  d.Write(d.src, "t", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  {
    auto p = d.Part(d.src, "t");
    REQUIRE(p->AdvanceLogStart(Offset(30)).ok());
  }
  replica::SyncSummary s = d.SyncOk();
  CHECK(s.restarts == 1);
  auto src = d.Part(d.src, "t");
  auto dst = d.Part(d.dst, "t");
  CHECK(dst->log_start_offset() == Offset(30));
  CHECK(dst->log_end_offset() == src->log_end_offset());
  // Whatever DEST has from the restart on is the source's, byte for byte.
  auto a = src->Read(Offset(30), 1 << 20);
  auto b = dst->Read(Offset(30), 1 << 20);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->bytes == b->bytes);
  CHECK(d.SyncOk().batches == 0);
}

TEST_CASE("sync: a source log start inside DEST's log advances DEST's") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.Write(d.src, "t", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  d.SyncOk();
  REQUIRE(d.Part(d.src, "t")->AdvanceLogStart(Offset(27)).ok());
  replica::SyncSummary s = d.SyncOk();
  CHECK(s.restarts == 0);
  CHECK(d.Part(d.dst, "t")->log_start_offset() == Offset(27));
}

TEST_CASE(
    "sync: a compacted source is copied with its gaps; compaction below DEST's end changes "
    "nothing") {
  Dirs d;
  d.CreateTopic(d.src, "t", 1, {{"cleanup.policy", "compact"}});
  d.CreateTopic(d.dst, "t", 1, {{"cleanup.policy", "compact"}});
  // DEST already has 0..11 as they were before compaction.
  d.Write(d.dst, "t", {0, 0, 0, 0});
  // The source kept batches 3..5 and 9..11 of them, then grew.
  {
    auto p = d.Part(d.src, "t");
    std::vector<std::string> kept = {LeaderBatch(3, 0, 3), LeaderBatch(9, 0, 3),
                                     LeaderBatch(12, 1, 3), LeaderBatch(18, 1, 2)};
    REQUIRE(p->AppendAsFollower(kept, {.allow_gaps = true}).ok());
  }
  replica::SyncSummary s = d.SyncOk();
  CHECK(s.truncations == 0);
  CHECK(s.batches == 2);  // 12..14 and 18..19; the gap 15..17 stays a gap
  auto dst = d.Part(d.dst, "t");
  CHECK(dst->log_start_offset() == Offset(0));
  CHECK(dst->log_end_offset() == Offset(20));
  auto all = kq::testing::ReadAll(*dst);
  REQUIRE(all.ok());
  CHECK(all->size() == 12 + 3 + 2);
}

TEST_CASE("sync: a DEST tail written under an older epoch is truncated to the last common offset") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.CreateTopic(d.dst, "t");
  // Both have epoch 0 up to 9; DEST (the old leader) wrote 9..14 under epoch
  // 1, which the source (promoted with epoch 2) never received.
  d.Write(d.src, "t", {0, 0, 0});
  d.Write(d.dst, "t", {0, 0, 0});
  d.Write(d.src, "t", {2, 2, 2, 2}, 3, "new-");
  d.Write(d.dst, "t", {1, 1}, 3, "old-");
  replica::SyncSummary s = d.SyncOk();
  CHECK(s.truncations == 1);
  CHECK(s.batches == 4);
  d.CheckIdentical();
  CHECK(d.SyncOk().truncations == 0);
}

TEST_CASE("sync: divergence over several epochs is resolved step by step") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.CreateTopic(d.dst, "t");
  d.Write(d.src, "t", {0, 0, 1, 1}, 2);
  d.Write(d.dst, "t", {0, 0, 1}, 2);
  // DEST went on under epochs 3 and 5 the source never had; the source
  // ended epoch 1 at 8 and went on under 4.
  d.Write(d.dst, "t", {3, 5, 5}, 2, "old-");
  d.Write(d.src, "t", {4, 4, 4, 6}, 2, "new-");
  replica::SyncSummary s = d.SyncOk();
  CHECK(s.truncations >= 1);
  d.CheckIdentical();
}

namespace {

// A source whose fetched batches get one bit flipped in the record data, as a
// bad disk or network would.
class FlippingSource : public replica::Source {
 public:
  explicit FlippingSource(replica::Source& inner) : inner_(inner) {}
  std::string Describe() const override { return "flipping:" + inner_.Describe(); }
  Result<std::vector<replica::SourceTopic>> ListTopics() override { return inner_.ListTopics(); }
  Result<replica::SourceOffsets> Offsets(const std::string& t, PartitionId p) override {
    return inner_.Offsets(t, p);
  }
  Result<log::EpochEndOffset> EndOffsetForEpoch(const std::string& t, PartitionId p,
                                                Epoch e) override {
    return inner_.EndOffsetForEpoch(t, p, e);
  }
  Result<std::vector<replica::FetchedPartition>> Fetch(
      std::span<const replica::FetchPosition> positions, size_t max_bytes,
      std::chrono::milliseconds wait) override {
    KQ_ASSIGN_OR_RETURN(auto fetched, inner_.Fetch(positions, max_bytes, wait));
    for (auto& f : fetched) {
      if (f.batches.size() > 1) f.batches[1][format::kBatchHeaderSize + 5] ^= 0x10;
    }
    return fetched;
  }

 private:
  replica::Source& inner_;
};

}  // namespace

TEST_CASE("sync: a batch whose CRC does not match is refused with nothing of its fetch applied") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.Write(d.src, "t", {0, 0, 0});
  auto inner = replica::DirSource::Open(&d.env, "/src");
  REQUIRE(inner.ok());
  FlippingSource flipping(**inner);
  auto s = replica::Sync(flipping, d.dst, {});
  REQUIRE(!s.ok());
  CHECK(s.status().IsCorruption());
  const std::string& m = s.status().message();
  CHECK_MESSAGE(m.find("flipping:/src") != std::string::npos, m);
  CHECK_MESSAGE(m.find("t-0") != std::string::npos, m);
  CHECK_MESSAGE(m.find("offset 3") != std::string::npos, m);
  CHECK_MESSAGE(m.find("CRC") != std::string::npos, m);
  CHECK(d.End(d.dst) == Offset(0));
  // The clean source then syncs as usual.
  d.SyncOk();
  d.CheckIdentical();
}

TEST_CASE("sync: a corrupt batch in a source segment is an error naming the file") {
  Dirs d;
  d.CreateTopic(d.src, "t");
  d.Write(d.src, "t", {0, 0, 0});
  kq::testing::FlipBit(&d.env, "/src/t-0/00000000000000000000.log", 100);
  auto s = d.Sync();
  REQUIRE(!s.ok());
  CHECK_MESSAGE(s.status().message().find("00000000000000000000.log") != std::string::npos,
                s.status().message());
}
