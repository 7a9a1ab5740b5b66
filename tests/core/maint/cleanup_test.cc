#include "maint/cleanup.h"

#include <doctest/doctest.h>

#include <map>

#include "io/mem_env.h"
#include "support/log_helpers.h"

namespace kq {
namespace {

constexpr int64_t kHour = 3600 * 1000;
const std::string kDir = "/kq";
const std::string kRetention5h30 = std::to_string(5 * kHour + kHour / 2);

log::LogDir OpenDir(io::Env* env) {
  auto dir = log::LogDir::Open(env, kDir, true);
  REQUIRE_MESSAGE(dir.ok(), dir.status().ToString());
  return *dir;
}

// Topic "t" with two partitions; partition 0 gets eleven hours of data, one
// segment per hour (three batches of keys k0..k9 fill one exactly), the last
// hour in the active segment. Every batch rewrites the same ten keys.
log::LogDir ElevenHours(io::MemEnv* env, const std::string& policy,
                        const std::string& retention_ms) {
  log::LogDir dir = OpenDir(env);
  const uint64_t batch_size = testing::MakeBatch("h00-", 10).size();
  log::TopicConfig config;
  REQUIRE(config.Set("cleanup.policy", policy).ok());
  REQUIRE(config.Set("retention.ms", retention_ms).ok());
  REQUIRE(config.Set("segment.bytes", std::to_string(3 * batch_size)).ok());
  REQUIRE(config.Set("index.interval.bytes", "512").ok());
  REQUIRE(dir.CreateTopic("t", 2, config).ok());
  auto p = dir.OpenPartition("t", PartitionId(0), log::OpenMode::kWrite);
  REQUIRE(p.ok());
  const int64_t start = env->NowMs() - 11 * kHour;
  for (int h = 0; h <= 10; ++h) {
    for (int i = 0; i < 3; ++i) {
      std::string b = testing::MakeBatch(fmt::format("h{:02}-", h), 10, start + h * kHour);
      REQUIRE((*p)->Append(b).ok());
    }
  }
  REQUIRE((*p)->Segments().size() == 11);
  REQUIRE((*p)->Close().ok());
  return dir;
}

log::TopicInfo Topic(const log::LogDir& dir) {
  auto info = dir.DescribeTopic("t");
  REQUIRE(info.ok());
  return *info;
}

struct After {
  Offset log_start;
  std::vector<testing::ReadRecord> records;
};

After ReadBack(const log::LogDir& dir) {
  auto p = dir.OpenPartition("t", PartitionId(0), log::OpenMode::kWrite);
  REQUIRE_MESSAGE(p.ok(), p.status().ToString());
  auto records = testing::ReadAll(**p);
  REQUIRE_MESSAGE(records.ok(), records.status().ToString());
  return {(*p)->log_start_offset(), *records};
}

// Every file under the partition with its contents.
std::map<std::string, std::string> Snapshot(io::Env* env, const log::LogDir& dir) {
  const std::string path = dir.PartitionPath("t", PartitionId(0));
  auto names = env->ListDir(path);
  REQUIRE(names.ok());
  std::map<std::string, std::string> out;
  for (const std::string& n : *names) {
    auto bytes = env->ReadFileToString(io::JoinPath(path, n));
    REQUIRE(bytes.ok());
    out[n] = *bytes;
  }
  return out;
}

TEST_CASE("cleanup: delete policy runs retention only") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "delete", kRetention5h30);
  maint::CleanupReport report;
  REQUIRE(maint::CleanPartition(dir, Topic(dir), PartitionId(0), {}, &report).ok());
  REQUIRE(report.retention);
  CHECK_FALSE(report.compaction);
  // Hours 0..5 end 11..6 hours ago: older than 5.5 h.
  CHECK(report.retention->doomed.size() == 6);
  CHECK(report.retention->new_log_start == Offset(180));
  const After after = ReadBack(dir);
  CHECK(after.log_start == Offset(180));
  CHECK(after.records.size() == 150);  // nothing compacted
}

TEST_CASE("cleanup: compact policy compacts only, whatever retention.ms says") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "compact", kRetention5h30);
  maint::CleanupReport report;
  REQUIRE(maint::CleanPartition(dir, Topic(dir), PartitionId(0), {}, &report).ok());
  CHECK_FALSE(report.retention);
  REQUIRE(report.compaction);
  CHECK(report.compaction->segments_before == 10);
  CHECK(report.compaction->filter.superseded == 290);
  const After after = ReadBack(dir);
  CHECK(after.log_start == Offset(0));
  // The latest value of each key in the sealed segments (hour 9's last
  // batch), then the untouched active segment.
  REQUIRE(after.records.size() == 40);
  CHECK(after.records.front().offset == 290);
  CHECK(after.records.front().value == "h09-0");
  CHECK(after.records[10].offset == 300);
}

TEST_CASE("cleanup: compact,delete runs retention first, then compacts what is left") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "compact,delete", kRetention5h30);
  maint::CleanupReport report;
  REQUIRE(maint::CleanPartition(dir, Topic(dir), PartitionId(0), {}, &report).ok());
  REQUIRE(report.retention);
  REQUIRE(report.compaction);
  CHECK(report.retention->doomed.size() == 6);
  // Only hours 6..9 were left to compact: retention went first.
  CHECK(report.compaction->segments_before == 4);
  CHECK(report.compaction->filter.superseded == 110);
  const After after = ReadBack(dir);
  CHECK(after.log_start == Offset(180));
  CHECK(after.records.size() == 40);
}

TEST_CASE("cleanup: a dry run reports both steps and changes no byte") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "compact,delete", kRetention5h30);
  const auto before = Snapshot(&env, dir);
  maint::CleanupOptions options;
  options.dry_run = true;
  uint64_t progress = 0;
  options.progress = [&](uint64_t bytes) { progress = bytes; };
  maint::CleanupReport report;
  REQUIRE(maint::CleanPartition(dir, Topic(dir), PartitionId(0), options, &report).ok());
  REQUIRE(report.retention);
  REQUIRE(report.compaction);
  CHECK(report.retention->doomed.size() == 6);
  // Nothing was removed, so the dry compaction sees all ten sealed segments.
  CHECK(report.compaction->segments_before == 10);
  CHECK(report.compaction->bytes_after < report.compaction->bytes_before);
  CHECK(progress > 0);
  CHECK(Snapshot(&env, dir) == before);
}

TEST_CASE(
    "cleanup: a partition outside the topic or without its folder is an error, never created") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "delete", "1000");
  maint::CleanupReport report;
  Status s = maint::CleanPartition(dir, Topic(dir), PartitionId(2), {}, &report);
  CHECK(s.IsNotFound());
  CHECK(s.message() == "partition 2 of topic 't' does not exist (it has 2)");
  const std::string gone = dir.PartitionPath("t", PartitionId(1));
  REQUIRE(env.RemoveTree(gone).ok());
  s = maint::CleanPartition(dir, Topic(dir), PartitionId(1), {}, &report);
  CHECK(s.IsNotFound());
  CHECK(s.message() == "partition t-1: directory /kq/t-1 does not exist");
  CHECK_FALSE(report.retention);
  CHECK_FALSE(env.FileExists(gone));
}

TEST_CASE("cleanup: when compaction fails, the report keeps the retention that was done") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "compact,delete", kRetention5h30);
  auto held = env.LockFile(maint::CleanerLockPath(dir.PartitionPath("t", PartitionId(0))),
                           io::LockWait::kTry);
  REQUIRE(held.ok());
  maint::CleanupReport report;
  Status s = maint::CleanPartition(dir, Topic(dir), PartitionId(0), {}, &report);
  CHECK(s.IsBusy());
  CHECK(s.message() == "another kq-compact is cleaning t-0");
  REQUIRE(report.retention);
  CHECK(report.retention->doomed.size() == 6);
  CHECK_FALSE(report.compaction);
  CHECK(ReadBack(dir).log_start == Offset(180));
}

TEST_CASE("cleanup: CleanTopic cleans every partition, each on its own") {
  io::MemEnv env;
  log::LogDir dir = ElevenHours(&env, "delete", kRetention5h30);
  REQUIRE(env.RemoveTree(dir.PartitionPath("t", PartitionId(1))).ok());
  auto results = maint::CleanTopic(dir, "t", {});
  REQUIRE(results.ok());
  REQUIRE(results->size() == 2);
  CHECK((*results)[0].partition == PartitionId(0));
  CHECK((*results)[0].status.ok());
  REQUIRE((*results)[0].report.retention);
  CHECK((*results)[0].report.retention->doomed.size() == 6);
  CHECK((*results)[1].partition == PartitionId(1));
  CHECK((*results)[1].status.IsNotFound());
  CHECK(ReadBack(dir).log_start == Offset(180));

  auto missing = maint::CleanTopic(dir, "nope", {});
  CHECK(missing.status().IsNotFound());
  CHECK(missing.status().message() == "topic 'nope' does not exist in /kq");
}

}  // namespace
}  // namespace kq
