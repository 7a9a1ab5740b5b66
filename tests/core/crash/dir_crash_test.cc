// Power loss in the middle of the operations above single partitions: the
// producer's group commit (core/client), topic create, alter and delete
// (core/log/log_dir) and group offset commits (core/groups/offsets_store),
// crashed after every mutating call (crash_driver.h).
#include <doctest/doctest.h>

#include "client/producer.h"
#include "groups/offsets_store.h"
#include "io/fault_env.h"
#include "log/log_dir.h"
#include "log/partition.h"
#include "support/crash_checks.h"
#include "support/crash_driver.h"
#include "support/log_helpers.h"

using namespace kq;
using kq::testing::CrashPoint;
using kq::testing::Ledger;

namespace {

const std::string kRoot = "/data";

log::LogDir OpenRoot(io::Env& env) {
  auto d = log::LogDir::Open(&env, kRoot, /*create_if_missing=*/true);
  REQUIRE_MESSAGE(d.ok(), d.status().ToString());
  return *d;
}

log::TopicConfig Retention(const char* ms) {
  log::TopicConfig c;
  REQUIRE(c.Set("retention.ms", ms).ok());
  REQUIRE(c.Set("segment.bytes", "600").ok());
  return c;
}

// The log directory opens after the crash and `name`, when listed, is whole:
// its metadata parses and every partition opens for writing.
bool TopicIsWhole(io::FaultEnv& env, const std::string& name, log::TopicInfo* info) {
  auto d = log::LogDir::Open(&env, kRoot, /*create_if_missing=*/false);
  REQUIRE_MESSAGE(d.ok(), "log directory does not open after the crash: ", d.status().ToString());
  auto topics = d->ListTopics();
  REQUIRE(topics.ok());
  if (std::find(topics->begin(), topics->end(), name) == topics->end()) return false;
  auto described = d->DescribeTopic(name);
  REQUIRE_MESSAGE(described.ok(), "topic listed but unreadable: ", described.status().ToString());
  for (int32_t p = 0; p < described->partitions; ++p) {
    auto opened = log::Partition::Open(
        d->PartitionPath(name, PartitionId(p)),
        log::PartitionOptionsFor(&env, name, PartitionId(p), described->config),
        log::OpenMode::kWrite);
    REQUIRE_MESSAGE(opened.ok(), "partition ", p,
                    " of a listed topic: ", opened.status().ToString());
  }
  *info = *described;
  return true;
}

}  // namespace

TEST_CASE("crash: the producer's group commits (flush=fsync)") {
  kq::testing::ForEachCrashState("producer", [&](io::FaultEnv& env, CrashPoint& crash) {
    log::LogDir root = OpenRoot(env);
    const log::TopicConfig config = Retention("-1");
    REQUIRE(root.CreateTopic("t", 1, config).ok());
    Ledger ledger;
    crash.Arm(env);
    {
      client::ProducerOptions o;
      o.env = &env;
      o.create_topic = false;
      o.batch_bytes = 150;  // a few batches per flush: one sync covers them
      o.flush = log::FlushPolicy{};
      auto producer = client::LogProducer::Open(root, "t", o);
      bool ok = producer.ok();
      for (int round = 0; ok && round < 3; ++round) {
        for (int i = 0; ok && i < 12; ++i) {
          const int64_t id = ledger.next_id();
          const std::string value = fmt::format("r{}:{}", id, std::string(10, 'p'));
          ok = (*producer)
                   ->Add({.key = std::nullopt, .value = value, .headers = {}, .timestamp = 1000})
                   .ok();
          if (ok) ledger.WrittenId(id, id);  // one partition, one producer: offset = id
        }
        ok = ok && (*producer)->Flush().ok();
        if (ok) ledger.AckAll();
      }
      if (ok && (*producer)->Close().ok()) ledger.AckAll();
    }
    crash.Cut(env);
    kq::testing::CheckPartitionAfterCrash(
        env, kRoot + "/t-0", log::PartitionOptionsFor(&env, "t", PartitionId(0), config), ledger);
  });
}

TEST_CASE("crash: topic create") {
  kq::testing::ForEachCrashState("topic-create", [&](io::FaultEnv& env, CrashPoint& crash) {
    log::LogDir root = OpenRoot(env);
    REQUIRE(root.CreateTopic("keep", 1, {}).ok());
    crash.Arm(env);
    const bool acked = root.CreateTopic("orders", 3, Retention("1234")).ok();
    crash.Cut(env);
    log::TopicInfo info;
    REQUIRE(TopicIsWhole(env, "keep", &info));
    if (TopicIsWhole(env, "orders", &info)) {
      CHECK(info.partitions == 3);
      CHECK(info.config.retention_ms == 1234);
    } else {
      CHECK_FALSE(acked);
      // Nothing is wedged: creating it again works.
      auto again = OpenRoot(env).CreateTopic("orders", 3, Retention("1234"));
      REQUIRE_MESSAGE(again.ok(), again.ToString());
      REQUIRE(TopicIsWhole(env, "orders", &info));
    }
  });
}

TEST_CASE("crash: topic alter") {
  kq::testing::ForEachCrashState("topic-alter", [&](io::FaultEnv& env, CrashPoint& crash) {
    log::LogDir root = OpenRoot(env);
    REQUIRE(root.CreateTopic("orders", 2, Retention("1234")).ok());
    crash.Arm(env);
    const bool acked = root.AlterTopicConfig("orders", {{"retention.ms", "5678"}}).ok();
    crash.Cut(env);
    log::TopicInfo info;
    REQUIRE(TopicIsWhole(env, "orders", &info));
    CHECK((info.config.retention_ms == 1234 || info.config.retention_ms == 5678));
    if (acked) CHECK(info.config.retention_ms == 5678);
  });
}

TEST_CASE("crash: topic delete") {
  kq::testing::ForEachCrashState("topic-delete", [&](io::FaultEnv& env, CrashPoint& crash) {
    log::LogDir root = OpenRoot(env);
    const log::TopicConfig config = Retention("-1");
    REQUIRE(root.CreateTopic("orders", 2, config).ok());
    std::vector<Ledger> ledgers(2);
    for (int32_t p = 0; p < 2; ++p) {
      auto part = log::Partition::Open(
          root.PartitionPath("orders", PartitionId(p)),
          log::PartitionOptionsFor(&env, "orders", PartitionId(p), config), log::OpenMode::kWrite);
      REQUIRE(part.ok());
      for (int b = 0; b < 6; ++b) {
        std::string batch = ledgers[p].NextBatch(3, 1000, 30);
        auto r = (*part)->Append(batch);
        REQUIRE(r.ok());
        ledgers[p].Written(r->first_offset.value());
      }
      REQUIRE((*part)->Close().ok());
      ledgers[p].AckAll();
    }
    crash.Arm(env);
    const bool acked = root.DeleteTopic("orders").ok();
    crash.Cut(env);
    log::TopicInfo info;
    const bool listed = TopicIsWhole(env, "orders", &info);
    if (acked) CHECK_FALSE(listed);
    if (listed) {
      // Still a topic: every partition holds everything it held.
      for (int32_t p = 0; p < 2; ++p) {
        kq::testing::CheckPartitionAfterCrash(
            env, root.PartitionPath("orders", PartitionId(p)),
            log::PartitionOptionsFor(&env, "orders", PartitionId(p), config), ledgers[p]);
      }
    }
  });
}

TEST_CASE("crash: group offset commits and deletes") {
  using groups::TopicPartition;
  kq::testing::ForEachCrashState("group-commit", [&](io::FaultEnv& env, CrashPoint& crash) {
    OpenRoot(env);
    {
      auto store = groups::OffsetsStore::Open(&env, kRoot);
      REQUIRE(store.ok());
      REQUIRE((*store)->Commit("g", {{{"t", 0}, {5, -1, "", 1}}}).ok());
    }
    bool committed = false, deleted = false;
    crash.Arm(env);
    {
      auto store = groups::OffsetsStore::Open(&env, kRoot);
      if (store.ok()) {
        committed =
            (*store)->Commit("g", {{{"t", 0}, {10, -1, "", 2}}, {{"t", 1}, {3, -1, "", 2}}}).ok();
        deleted = committed && (*store)->Delete("g", {{"t", 1}}).ok();
      }
    }
    crash.Cut(env);
    auto store = groups::OffsetsStore::Open(&env, kRoot);
    REQUIRE(store.ok());
    auto fetched = (*store)->Fetch("g");
    REQUIRE_MESSAGE(fetched.ok(), fetched.status().ToString());
    REQUIRE(fetched->count({"t", 0}));
    const int64_t t0 = fetched->at({"t", 0}).offset;
    CHECK((t0 == 5 || t0 == 10));
    if (committed) CHECK(t0 == 10);
    if (deleted) CHECK_FALSE(fetched->count({"t", 1}));
    if (committed && !deleted && fetched->count({"t", 1})) CHECK(fetched->at({"t", 1}).offset == 3);
    CHECK((*store)->skipped_records() == 0);
    // The store takes the next commit, and its partition verifies.
    REQUIRE((*store)->Commit("g", {{{"t", 0}, {11, -1, "", 3}}}).ok());
    kq::testing::CheckVerifies(&env, kRoot + "/__consumer_offsets-0", groups::kOffsetsTopic,
                               /*expect_contiguous=*/true);
  });
}
