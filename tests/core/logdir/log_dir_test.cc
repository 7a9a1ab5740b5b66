#include "log/log_dir.h"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <stdlib.h>

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "io/fault_env.h"
#include "io/mem_env.h"
#include "log/segment_name.h"
#include "support/log_helpers.h"

using kq::PartitionId;
using kq::io::Env;
using kq::io::JoinPath;
using namespace kq::log;

namespace {

// A fresh directory on the real file system, removed with everything in it.
struct PosixTempDir {
  std::string path;
  PosixTempDir() {
    char tmpl[] = "/tmp/kq-logdir-test-XXXXXX";
    char* made = mkdtemp(tmpl);
    REQUIRE(made != nullptr);
    path = made;
  }
  ~PosixTempDir() { (void)Env::Default()->RemoveTree(path); }
};

// Runs `body(env, dir)` on the POSIX Env and on MemEnv.
template <typename Body>
void OnEachEnv(Body body) {
  SUBCASE("posix env") {
    PosixTempDir tmp;
    body(Env::Default(), JoinPath(tmp.path, "logs"));
  }
  SUBCASE("mem env") {
    kq::io::MemEnv env;
    body(static_cast<Env*>(&env), std::string("/data/logs"));
  }
}

TopicConfig Compacted() {
  TopicConfig config;
  REQUIRE(config.Set("cleanup.policy", "compact").ok());
  return config;
}

}  // namespace

TEST_CASE("log dir: open creates .kq/format.json with version, time and cluster id") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto missing = LogDir::Open(env, dir, false);
    CHECK(missing.status().IsNotFound());
    auto opened = LogDir::Open(env, dir, true);
    REQUIRE_MESSAGE(opened.ok(), opened.status().ToString());
    CHECK(opened->path() == dir);
    CHECK(opened->cluster_id().size() == 22);
    CHECK(opened->cluster_id()[0] != '-');
    CHECK(opened->created_at().size() == 24);  // 2023-11-14T22:13:20.000Z
    CHECK(opened->created_at().back() == 'Z');
    auto text = env->ReadFileToString(JoinPath(dir, ".kq/format.json"));
    REQUIRE(text.ok());
    auto format = nlohmann::json::parse(*text);
    CHECK(format["format_version"] == 1);
    CHECK(format["cluster_id"] == opened->cluster_id());
    // Reopening keeps the identity.
    auto again = LogDir::Open(env, dir, false);
    REQUIRE(again.ok());
    CHECK(again->cluster_id() == opened->cluster_id());
    CHECK(again->created_at() == opened->created_at());
  });
}

TEST_CASE("log dir: a file where the directory should be is refused") {
  OnEachEnv([](Env* env, const std::string& dir) {
    REQUIRE(env->CreateDir(kq::io::DirName(dir)).ok());
    REQUIRE(env->WriteFileAtomic(dir, "not a dir").ok());
    for (bool create : {false, true}) {
      auto opened = LogDir::Open(env, dir, create);
      CHECK(opened.status().IsInvalidArgument());
      CHECK(opened.status().message() == dir + " is not a directory");
    }
  });
}

TEST_CASE("log dir: a directory without .kq is adopted only when asked to create") {
  OnEachEnv([](Env* env, const std::string& dir) {
    REQUIRE(env->CreateDir(dir).ok());
    REQUIRE(env->WriteFileAtomic(JoinPath(dir, "notes.txt"), "hello").ok());
    auto plain = LogDir::Open(env, dir, false);
    CHECK(plain.status().IsNotFound());
    CHECK(plain.status().message().find("is not a kq log directory") != std::string::npos);
    CHECK(LogDir::Open(env, dir, true).ok());
    CHECK(env->FileExists(JoinPath(dir, "notes.txt")));
  });
}

TEST_CASE("log dir: newer, corrupt or incomplete format.json is refused") {
  OnEachEnv([](Env* env, const std::string& dir) {
    REQUIRE(LogDir::Open(env, dir, true).ok());
    const std::string format_path = JoinPath(dir, ".kq/format.json");
    REQUIRE(env->WriteFileAtomic(format_path,
                                 R"({"format_version": 2, "created_at": "x", "cluster_id": "y"})")
                .ok());
    auto newer = LogDir::Open(env, dir, true);
    CHECK(newer.status().code() == kq::Status::Code::kNotSupported);
    CHECK(newer.status().message().find(format_path) == 0);

    REQUIRE(env->WriteFileAtomic(format_path, "{\"format_version\": 1,").ok());
    auto corrupt = LogDir::Open(env, dir, true);
    CHECK(corrupt.status().IsCorruption());
    CHECK(corrupt.status().message().find(format_path + ": not valid JSON") == 0);

    REQUIRE(env->WriteFileAtomic(format_path, R"({"format_version": 1})").ok());
    CHECK(LogDir::Open(env, dir, true).status().IsCorruption());
    REQUIRE(env->WriteFileAtomic(format_path, "[]").ok());
    CHECK(LogDir::Open(env, dir, true).status().IsCorruption());
  });
}

TEST_CASE("log dir: create, list, describe, alter, grow and delete topics") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto opened = LogDir::Open(env, dir, true);
    REQUIRE(opened.ok());
    LogDir& log_dir = *opened;

    REQUIRE(log_dir.CreateTopic("orders", 3, TopicConfig()).ok());
    REQUIRE(log_dir.CreateTopic("users", 1, Compacted()).ok());
    REQUIRE(log_dir.CreateTopic("a-b.c_d", 2, TopicConfig()).ok());
    CHECK(*log_dir.ListTopics() == std::vector<std::string>{"a-b.c_d", "orders", "users"});
    for (int p = 0; p < 3; ++p) {
      CHECK(env->IsDirectory(JoinPath(dir, fmt::format("orders-{}", p))));
    }
    CHECK(!env->IsDirectory(JoinPath(dir, "orders-3")));
    CHECK(log_dir.PartitionPath("orders", PartitionId(2)) == JoinPath(dir, "orders-2"));

    auto users = log_dir.DescribeTopic("users");
    REQUIRE(users.ok());
    CHECK(users->name == "users");
    CHECK(users->partitions == 1);
    CHECK(users->config.cleanup_compact);
    CHECK(!users->config.cleanup_delete);
    auto stored = nlohmann::json::parse(*env->ReadFileToString(log_dir.TopicMetadataPath("users")));
    CHECK(stored == nlohmann::json{{"partitions", 1}, {"config", {{"cleanup.policy", "compact"}}}});

    auto dup = log_dir.CreateTopic("orders", 5, TopicConfig());
    CHECK(dup.IsConflict());
    CHECK(dup.message() == "topic 'orders' already exists");

    REQUIRE(log_dir.AlterTopicConfig("orders", {{"retention.ms", "1000"}, {"flush", "os"}}).ok());
    auto orders = log_dir.DescribeTopic("orders");
    CHECK(orders->config.retention_ms == 1000);
    CHECK(orders->config.flush.kind == FlushPolicy::Kind::kOs);
    // All or nothing: a bad change leaves the earlier ones unapplied.
    kq::Status bad =
        log_dir.AlterTopicConfig("orders", {{"retention.ms", "5"}, {"segment.bytes", "1"}});
    CHECK(bad.IsInvalidArgument());
    CHECK(bad.message().find("topic 'orders': bad value '1' for topic config segment.bytes") == 0);
    CHECK(log_dir.DescribeTopic("orders")->config.retention_ms == 1000);
    REQUIRE(log_dir.AlterTopicConfig("orders", {{"retention.ms", std::nullopt}}).ok());
    CHECK(log_dir.DescribeTopic("orders")->config.retention_ms == 604800000);
    CHECK(log_dir.DescribeTopic("orders")->config.explicit_keys() ==
          std::set<std::string>{"flush"});

    REQUIRE(log_dir.AddPartitions("orders", 5).ok());
    CHECK(log_dir.DescribeTopic("orders")->partitions == 5);
    CHECK(env->IsDirectory(JoinPath(dir, "orders-4")));
    CHECK(log_dir.DescribeTopic("orders")->config.flush.kind == FlushPolicy::Kind::kOs);
    CHECK(log_dir.AddPartitions("orders", 5).IsInvalidArgument());
    CHECK(log_dir.AddPartitions("orders", 2).IsInvalidArgument());
    CHECK(log_dir.AddPartitions("orders", 10001).IsInvalidArgument());

    // Data inside a partition goes with the topic; a topic whose name is a
    // prefix of another is untouched.
    REQUIRE(env->WriteFileAtomic(JoinPath(dir, "orders-1/00000000000000000000.log"), "x").ok());
    REQUIRE(log_dir.CreateTopic("orders-1", 1, TopicConfig()).ok());
    REQUIRE(log_dir.DeleteTopic("orders").ok());
    CHECK(*log_dir.ListTopics() == std::vector<std::string>{"a-b.c_d", "orders-1", "users"});
    for (int p = 0; p < 5; ++p) CHECK(!env->FileExists(JoinPath(dir, fmt::format("orders-{}", p))));
    CHECK(env->IsDirectory(JoinPath(dir, "orders-1-0")));

    auto gone = log_dir.DescribeTopic("orders");
    CHECK(gone.status().IsNotFound());
    CHECK(gone.status().message() == fmt::format("topic 'orders' does not exist in {}", dir));
    CHECK(log_dir.DeleteTopic("orders").IsNotFound());
    CHECK(log_dir.AlterTopicConfig("orders", {}).IsNotFound());
    CHECK(log_dir.AddPartitions("orders", 9).IsNotFound());
    // The name is free again.
    REQUIRE(log_dir.CreateTopic("orders", 1, TopicConfig()).ok());
  });
}

TEST_CASE("log dir: OpenPartition shapes segments by the topic's config") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto opened = LogDir::Open(env, dir, true);
    REQUIRE(opened.ok());
    LogDir& log_dir = *opened;
    TopicConfig config;
    REQUIRE(config.Set("segment.bytes", "2048").ok());
    REQUIRE(config.Set("segment.ms", "60000").ok());
    REQUIRE(config.Set("index.interval.bytes", "100").ok());
    REQUIRE(config.Set("segment.index.bytes", "4096").ok());
    REQUIRE(log_dir.CreateTopic("small", 2, config).ok());

    auto p = log_dir.OpenPartition("small", PartitionId(1), OpenMode::kWrite);
    REQUIRE_MESSAGE(p.ok(), p.status().ToString());
    const PartitionOptions& o = (*p)->options();
    CHECK(o.env == env);
    CHECK(o.topic == "small");
    CHECK(o.partition == PartitionId(1));
    CHECK(o.segment_bytes == 2048);
    CHECK(o.segment_ms == 60000);
    CHECK(o.index_interval_bytes == 100);
    CHECK(o.segment_index_bytes == 4096);
    CHECK((*p)->dir() == JoinPath(dir, "small-1"));
    // The config really applies: 500-byte batches roll a 2048-byte segment.
    for (int i = 0; i < 10; ++i) {
      std::string batch = kq::testing::MakeSizedBatch(500);
      REQUIRE((*p)->Append(batch).ok());
    }
    CHECK((*p)->Segments().size() >= 3);
    REQUIRE((*p)->Close().ok());

    // With the metadata already at hand, and read-only.
    auto info = log_dir.DescribeTopic("small");
    REQUIRE(info.ok());
    auto reader = log_dir.OpenPartition(*info, PartitionId(1), OpenMode::kRead);
    REQUIRE(reader.ok());
    CHECK((*reader)->log_end_offset() == kq::Offset(10));
    CHECK((*reader)->options().segment_bytes == 2048);
  });
}

TEST_CASE("log dir: OpenPartition refuses unknown topics and partitions") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto opened = LogDir::Open(env, dir, true);
    REQUIRE(opened.ok());
    LogDir& log_dir = *opened;
    REQUIRE(log_dir.CreateTopic("t", 2, TopicConfig()).ok());
    for (int32_t p : {2, -1}) {
      CAPTURE(p);
      auto missing = log_dir.OpenPartition("t", PartitionId(p), OpenMode::kWrite);
      CHECK(missing.status().IsNotFound());
      CHECK(missing.status().message() ==
            fmt::format("partition {} of topic 't' does not exist (it has 2)", p));
    }
    // Nothing was created for the refused partitions.
    CHECK(!env->FileExists(JoinPath(dir, "t-2")));
    auto no_topic = log_dir.OpenPartition("nope", PartitionId(0), OpenMode::kRead);
    CHECK(no_topic.status().IsNotFound());
    CHECK(no_topic.status().message() == fmt::format("topic 'nope' does not exist in {}", dir));
    CHECK(log_dir.OpenPartition("../x", PartitionId(0), OpenMode::kRead)
              .status()
              .IsInvalidArgument());
    // A folder removed by hand: read-only opens say so, writers recreate it.
    REQUIRE(env->RemoveTree(JoinPath(dir, "t-1")).ok());
    CHECK(log_dir.OpenPartition("t", PartitionId(1), OpenMode::kRead).status().IsNotFound());
    CHECK(log_dir.OpenPartition("t", PartitionId(1), OpenMode::kWrite).ok());
  });
}

TEST_CASE("log dir: bad names and counts are rejected before touching the disk") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto log_dir = LogDir::Open(env, dir, true);
    REQUIRE(log_dir.ok());
    kq::Status s = log_dir->CreateTopic("../x", 1, TopicConfig());
    CHECK(s.IsInvalidArgument());
    CHECK(s.message() ==
          "topic name '../x' contains '/': only letters, digits, '.', '_' and '-' are allowed");
    CHECK(log_dir->CreateTopic("", 1, TopicConfig()).IsInvalidArgument());
    CHECK(log_dir->CreateTopic("t", 0, TopicConfig()).message() ==
          "topic 't': partition count 0 is out of range (1..10000)");
    CHECK(log_dir->CreateTopic("t", 10001, TopicConfig()).IsInvalidArgument());
    CHECK(log_dir->DescribeTopic("../../etc/passwd").status().IsInvalidArgument());
    CHECK(log_dir->DeleteTopic("..").IsInvalidArgument());
    CHECK(log_dir->ListTopics()->empty());
  });
}

TEST_CASE("log dir: EnsureTopic returns the existing topic unchanged") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto log_dir = LogDir::Open(env, dir, true);
    REQUIRE(log_dir.ok());
    auto created = log_dir->EnsureTopic("logs", 4, Compacted());
    REQUIRE(created.ok());
    CHECK(created->partitions == 4);
    auto existing = log_dir->EnsureTopic("logs", 1, TopicConfig());
    REQUIRE(existing.ok());
    CHECK(existing->partitions == 4);
    CHECK(existing->config.cleanup_compact);
  });
}

TEST_CASE("log dir: racing creators of one topic all succeed with one result") {
  OnEachEnv([](Env* env, const std::string& dir) {
    REQUIRE(LogDir::Open(env, dir, true).ok());
    constexpr int kThreads = 8;
    std::vector<int> partitions(kThreads, 0);
    std::vector<std::string> errors(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto log_dir = LogDir::Open(env, dir, true);
        if (!log_dir.ok()) {
          errors[i] = log_dir.status().ToString();
          return;
        }
        auto info = log_dir->EnsureTopic("auto", i + 1, TopicConfig());
        if (info.ok()) {
          partitions[i] = info->partitions;
        } else {
          errors[i] = info.status().ToString();
        }
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kThreads; ++i) {
      CHECK(errors[i] == "");
      CHECK(partitions[i] == partitions[0]);  // everyone sees the winner's topic
    }
  });
}

TEST_CASE("log dir: racing openers of a new directory agree on the cluster id") {
  OnEachEnv([](Env* env, const std::string& dir) {
    constexpr int kThreads = 6;
    std::vector<std::string> ids(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        auto log_dir = LogDir::Open(env, dir, true);
        ids[i] = log_dir.ok() ? log_dir->cluster_id() : log_dir.status().ToString();
      });
    }
    for (auto& t : threads) t.join();
    for (int i = 0; i < kThreads; ++i) CHECK(ids[i] == ids[0]);
    CHECK(ids[0].size() == 22);
  });
}

TEST_CASE("log dir: a leftover non-empty partition folder is not adopted") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto log_dir = LogDir::Open(env, dir, true);
    REQUIRE(log_dir.ok());
    // An empty leftover (a create that crashed before its metadata) is reused.
    REQUIRE(env->CreateDir(JoinPath(dir, "t-0")).ok());
    REQUIRE(log_dir->CreateTopic("t", 1, TopicConfig()).ok());
    // A non-empty one (a delete that crashed after removing metadata) is not.
    REQUIRE(env->CreateDir(JoinPath(dir, "u-1")).ok());
    REQUIRE(env->WriteFileAtomic(JoinPath(dir, "u-1/00000000000000000000.log"), "x").ok());
    kq::Status s = log_dir->CreateTopic("u", 2, TopicConfig());
    CHECK(s.IsConflict());
    CHECK(s.message().find(JoinPath(dir, "u-1") + " already exists and is not empty") == 0);
    CHECK(log_dir->DescribeTopic("u").status().IsNotFound());
  });
}

TEST_CASE("log dir: corrupt topic metadata is reported with its path") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto log_dir = LogDir::Open(env, dir, true);
    REQUIRE(log_dir.ok());
    REQUIRE(log_dir->CreateTopic("t", 1, TopicConfig()).ok());
    const std::string meta = log_dir->TopicMetadataPath("t");
    const char* bad_files[] = {"{",
                               "[]",
                               R"({"config": {}})",
                               R"({"partitions": 0})",
                               R"({"partitions": "3"})",
                               R"({"partitions": 1, "config": {"retention.ms": "soon"}})"};
    for (const char* text : bad_files) {
      CAPTURE(text);
      REQUIRE(env->WriteFileAtomic(meta, text).ok());
      auto info = log_dir->DescribeTopic("t");
      CHECK(info.status().IsCorruption());
      CHECK(info.status().message().find(meta + ": ") == 0);
    }
    // Still deletable.
    CHECK(log_dir->DeleteTopic("t").ok());
    CHECK(!env->FileExists(JoinPath(dir, "t-0")));
  });
}

TEST_CASE("log dir: JSON that does not parse is reported at its byte position, in kq's words") {
  OnEachEnv([](Env* env, const std::string& dir) {
    auto log_dir = LogDir::Open(env, dir, true);
    REQUIRE(log_dir.ok());
    REQUIRE(log_dir->CreateTopic("t", 1, TopicConfig()).ok());
    const std::string meta = log_dir->TopicMetadataPath("t");
    struct Case {
      std::string text;
      std::string message;  // after "<meta>: "
    };
    const Case cases[] = {
        {"{\"partitions\": 1,\n  \"config\": {",
         "not valid JSON at byte 31 (line 2, column 14): unexpected end of input; expected string "
         "literal"},
        {"{\"partitions\": 1x}",
         "not valid JSON at byte 16 (line 1, column 17): invalid literal; expected '}'"},
        // The bad byte is named by its position, not echoed.
        {"{\"partitions\": \"\xff\"}",
         "not valid JSON at byte 16 (line 1, column 17): invalid string: ill-formed UTF-8 byte"},
        {"", "empty file (expected a JSON object)"},
        {" \n", "empty file (expected a JSON object)"},
    };
    for (const Case& c : cases) {
      CAPTURE(c.text);
      REQUIRE(env->WriteFileAtomic(meta, c.text).ok());
      auto info = log_dir->DescribeTopic("t");
      REQUIRE(info.status().IsCorruption());
      const std::string& msg = info.status().message();
      CAPTURE(msg);
      CHECK(msg.find(meta + ": " + c.message) == 0);
      CHECK(msg.find("json.exception") == std::string::npos);
      CHECK(msg.find('\xff') == std::string::npos);
    }
  });
}

namespace {

// What a failed create or grow must leave: the listing of the log directory
// and of .kq/topics exactly as before.
std::vector<std::string> Listing(Env& env, const std::string& dir) {
  auto root = env.ListDir(dir);
  auto topics = env.ListDir(JoinPath(dir, ".kq/topics"));
  REQUIRE((root.ok() && topics.ok()));
  std::vector<std::string> all = *root;
  for (const std::string& t : *topics) all.push_back(".kq/topics/" + t);
  std::sort(all.begin(), all.end());
  return all;
}

}  // namespace

TEST_CASE("log dir: a create that fails at any step leaves nothing behind and reports why") {
  const std::string dir = "/data/logs";
  TopicConfig config;
  REQUIRE(config.Set("retention.ms", "1234").ok());
  // How many mutating calls a create of 8 partitions makes.
  uint64_t steps = 0;
  {
    kq::io::FaultEnv env;
    auto log_dir = LogDir::Open(&env, dir, true);
    REQUIRE(log_dir.ok());
    const uint64_t before = env.mutating_calls();
    REQUIRE(log_dir->CreateTopic("orders", 8, config).ok());
    steps = env.mutating_calls() - before;
  }
  REQUIRE(steps >= 10);  // 8 folders, a sync, the metadata's write, sync and rename
  for (const bool sticky : {false, true}) {
    for (uint64_t step = 1; step <= steps; ++step) {
      CAPTURE(sticky);
      CAPTURE(step);
      kq::io::FaultEnv env;
      auto log_dir = LogDir::Open(&env, dir, true);
      REQUIRE(log_dir.ok());
      REQUIRE(log_dir->CreateTopic("keep", 1, TopicConfig()).ok());
      const std::vector<std::string> before = Listing(env, dir);
      env.InjectFault({static_cast<int>(step), sticky, std::nullopt});
      const kq::Status s = log_dir->CreateTopic("orders", 8, config);
      env.ClearFaults();
      // The injected error itself, not one from the clean-up.
      REQUIRE_FALSE(s.ok());
      CHECK(s.code() == kq::Status::Code::kIoError);
      CHECK(s.message().find("injected fault") != std::string::npos);
      auto orders = log_dir->DescribeTopic("orders");
      if (sticky && orders.ok()) {
        // A dead disk after the rename: the metadata could not be removed,
        // and the topic is there, whole.
        CHECK(step == steps);
        CHECK(orders->partitions == 8);
        continue;
      }
      CHECK(orders.status().IsNotFound());
      CHECK(*log_dir->ListTopics() == std::vector<std::string>{"keep"});
      if (!sticky) CHECK(Listing(env, dir) == before);
      // Never wedged: the same create works now (reusing empty leftovers).
      REQUIRE(log_dir->CreateTopic("orders", 8, config).ok());
      CHECK(log_dir->DescribeTopic("orders")->partitions == 8);
    }
  }
}

TEST_CASE("log dir: a grow that fails at any step keeps the old count and its folders only") {
  const std::string dir = "/data/logs";
  uint64_t steps = 0;
  {
    kq::io::FaultEnv env;
    auto log_dir = LogDir::Open(&env, dir, true);
    REQUIRE(log_dir.ok());
    REQUIRE(log_dir->CreateTopic("orders", 2, TopicConfig()).ok());
    const uint64_t before = env.mutating_calls();
    REQUIRE(log_dir->AddPartitions("orders", 5).ok());
    steps = env.mutating_calls() - before;
  }
  for (uint64_t step = 1; step <= steps; ++step) {
    CAPTURE(step);
    kq::io::FaultEnv env;
    auto log_dir = LogDir::Open(&env, dir, true);
    REQUIRE(log_dir.ok());
    REQUIRE(log_dir->CreateTopic("orders", 2, TopicConfig()).ok());
    const std::vector<std::string> before = Listing(env, dir);
    env.FailAfter(static_cast<int>(step));
    const kq::Status s = log_dir->AddPartitions("orders", 5);
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("injected fault") != std::string::npos);
    CHECK(log_dir->DescribeTopic("orders")->partitions == 2);
    CHECK(Listing(env, dir) == before);
    REQUIRE(log_dir->AddPartitions("orders", 5).ok());
  }
}
