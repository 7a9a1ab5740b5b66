#include <doctest/doctest.h>

#include "io/mem_env.h"
#include "log/segment_name.h"
#include "maint/compactor.h"
#include "maint/repair.h"
#include "maint_test_util.h"

namespace kq {
namespace {

using testing::RecMap;

constexpr uint64_t kSegmentBytes = 64 * 1024;
constexpr int64_t kDeleteRetentionMs = 60'000;
const std::string kDir = "/kq/t-0";

log::TopicConfig Config() {
  return testing::CompactConfig(static_cast<int32_t>(kSegmentBytes), kDeleteRetentionMs);
}

maint::CompactOptions Options(size_t max_memory = size_t{32} << 20) {
  maint::CompactOptions o;
  o.max_memory = max_memory;
  return o;
}

// Cleans t-0 of the directory around kDir, with the topic config `config`.
Status Compact(io::Env* env, const maint::CompactOptions& o, maint::CompactStats* stats,
               const log::TopicConfig& config = Config()) {
  return maint::CompactPartition(testing::ParentLogDir(env, kDir), testing::TopicT(config),
                                 PartitionId(0), o, stats);
}

struct Active {
  int64_t base = 0;
  std::string bytes;
};

Active ActiveSegment(io::Env* env) {
  auto p =
      log::Partition::Open(kDir, testing::MaintOptions(env, kSegmentBytes), log::OpenMode::kRead);
  REQUIRE(p.ok());
  const log::SegmentInfo last = (*p)->Segments().back();
  auto bytes = env->ReadFileToString(last.log_path);
  REQUIRE(bytes.ok());
  return {last.base_offset.value(), *bytes};
}

uint64_t LogBytes(io::Env* env) {
  auto p =
      log::Partition::Open(kDir, testing::MaintOptions(env, kSegmentBytes), log::OpenMode::kRead);
  REQUIRE(p.ok());
  return (*p)->size_bytes();
}

// Every kept record existed before at the same offset.
void CheckSubset(const RecMap& after, const RecMap& before) {
  for (const auto& [offset, r] : after) {
    auto it = before.find(offset);
    REQUIRE_MESSAGE(it != before.end(), "offset " << offset << " did not exist before");
    CHECK(it->second == r);
  }
}

TEST_CASE("compactor: 1000 keys x 100 updates keep the latest value per key at its offset") {
  io::MemEnv env;
  testing::WriteUpdates(&env, kDir, kSegmentBytes, 1000, 100);
  const RecMap before = testing::ReadRecords(&env, kDir, kSegmentBytes);
  const Active active = ActiveSegment(&env);
  const uint64_t bytes_before = LogBytes(&env);
  REQUIRE(active.base > 0);

  maint::CompactStats stats;
  REQUIRE(Compact(&env, Options(), &stats).ok());
  CHECK(stats.passes == 1);
  CHECK(stats.filter.keyless_removed > 0);
  CHECK(stats.filter.horizons_set > 0);
  CHECK(stats.filter.tombstones_removed == 0);

  const RecMap after = testing::ReadRecords(&env, kDir, kSegmentBytes);
  // Below the active segment: exactly the latest record of each key,
  // tombstones included until their horizon has passed.
  CHECK(testing::Below(after, active.base) == testing::LatestPerKey(before, active.base, false));
  CheckSubset(after, before);
  // The active segment is untouched, byte for byte.
  CHECK(ActiveSegment(&env).base == active.base);
  CHECK(ActiveSegment(&env).bytes == active.bytes);
  CHECK(testing::AtOrAbove(after, active.base) == testing::AtOrAbove(before, active.base));
  const uint64_t bytes_after = LogBytes(&env);
  CHECK(bytes_after * 10 < bytes_before);

  SUBCASE("a pass before delete.retention.ms keeps the tombstones") {
    env.AdvanceMs(kDeleteRetentionMs - 1);
    maint::CompactStats again;
    REQUIRE(Compact(&env, Options(), &again).ok());
    CHECK(again.filter.tombstones_removed == 0);
    CHECK(testing::ReadRecords(&env, kDir, kSegmentBytes) == after);
  }
  SUBCASE("a pass after delete.retention.ms removes the tombstones") {
    env.AdvanceMs(kDeleteRetentionMs);
    maint::CompactStats again;
    REQUIRE(Compact(&env, Options(), &again).ok());
    CHECK(again.filter.tombstones_removed > 0);
    const RecMap last = testing::ReadRecords(&env, kDir, kSegmentBytes);
    CHECK(testing::Below(last, active.base) == testing::LatestPerKey(before, active.base, true));
    CHECK(ActiveSegment(&env).bytes == active.bytes);
    CHECK(LogBytes(&env) < bytes_after);
  }
}

TEST_CASE("compactor: a tiny --max-memory cleans in several passes with the same result") {
  io::MemEnv big, tiny;
  testing::WriteUpdates(&big, kDir, kSegmentBytes, 1000, 30);
  testing::WriteUpdates(&tiny, kDir, kSegmentBytes, 1000, 30);
  maint::CompactStats big_stats, tiny_stats;
  REQUIRE(Compact(&big, Options(), &big_stats).ok());
  REQUIRE(Compact(&tiny, Options(8 * 1024), &tiny_stats).ok());
  CHECK(big_stats.passes == 1);
  CHECK(tiny_stats.passes > 3);
  CHECK(testing::ReadRecords(&tiny, kDir, kSegmentBytes) ==
        testing::ReadRecords(&big, kDir, kSegmentBytes));
  CHECK(tiny_stats.filter.removed() == big_stats.filter.removed());
}

TEST_CASE("compactor: a dry run changes nothing and predicts the removal") {
  io::MemEnv env;
  testing::WriteUpdates(&env, kDir, kSegmentBytes, 200, 40);
  auto files_before = env.ListDir(kDir);
  REQUIRE(files_before.ok());
  const RecMap before = testing::ReadRecords(&env, kDir, kSegmentBytes, log::OpenMode::kRead);
  maint::CompactOptions o = Options();
  o.dry_run = true;
  maint::CompactStats dry;
  REQUIRE(Compact(&env, o, &dry).ok());
  CHECK(testing::ReadRecords(&env, kDir, kSegmentBytes, log::OpenMode::kRead) == before);
  auto files_after = env.ListDir(kDir);
  REQUIRE(files_after.ok());
  CHECK(files_after->size() == files_before->size());
  maint::CompactStats real;
  REQUIRE(Compact(&env, Options(), &real).ok());
  CHECK(dry.filter.removed() == real.filter.removed());
  CHECK(dry.bytes_after == real.bytes_after);
  CHECK(dry.segments_after == real.segments_after);
}

TEST_CASE("compactor: min.compaction.lag.ms keeps recent segments out of the cleaning") {
  io::MemEnv env;
  testing::WriteUpdates(&env, kDir, kSegmentBytes, 200, 40);
  const RecMap before = testing::ReadRecords(&env, kDir, kSegmentBytes);
  maint::CompactOptions o = Options();
  log::TopicConfig lagged = Config();
  REQUIRE(lagged.Set("min.compaction.lag.ms", "1000").ok());
  maint::CompactStats stats;
  REQUIRE(Compact(&env, o, &stats, lagged).ok());
  CHECK(stats.passes == 0);
  CHECK(testing::ReadRecords(&env, kDir, kSegmentBytes) == before);
  env.AdvanceMs(1001);
  REQUIRE(Compact(&env, o, &stats, lagged).ok());
  CHECK(stats.passes == 1);
  CHECK(testing::ReadRecords(&env, kDir, kSegmentBytes) != before);
}

TEST_CASE("compactor: a second cleaner is refused and stale .cleaned files are removed") {
  io::MemEnv env;
  testing::WriteUpdates(&env, kDir, kSegmentBytes, 100, 40);
  const std::string stale = kDir + "/" +
                            log::MakeSegmentFileName(Offset(0), log::SegmentFileKind::kLog,
                                                     log::TransientSuffix::kCleaned);
  {
    auto f = env.CreateTruncated(stale);
    REQUIRE(f.ok());
    REQUIRE((*f)->Append("leftover").ok());
  }
  {
    auto held = env.LockFile(maint::CleanerLockPath(kDir), io::LockWait::kTry);
    REQUIRE(held.ok());
    maint::CompactStats stats;
    Status s = Compact(&env, Options(), &stats);
    CHECK(s.IsBusy());
    CHECK(s.message() == "another kq-compact is cleaning t-0");
  }
  maint::CompactStats stats;
  REQUIRE(Compact(&env, Options(), &stats).ok());
  CHECK(stats.stale_files_removed == 1);
  CHECK_FALSE(env.FileExists(stale));
}

TEST_CASE("compactor: a failure at each swap step leaves a log that opens with every live record") {
  for (const char* step :
       {"locked", "removed-indexes", "renamed-log", "renamed-indexes", "removed-source"}) {
    CAPTURE(step);
    io::MemEnv env;
    testing::WriteUpdates(&env, kDir, kSegmentBytes, 300, 40);
    const RecMap before = testing::ReadRecords(&env, kDir, kSegmentBytes);
    const Active active = ActiveSegment(&env);
    maint::CompactOptions o = Options();
    o.swap_hook = [&](const char* at) {
      return std::string_view(at) == step ? Status::IoError("killed") : Status::Ok();
    };
    maint::CompactStats stats;
    CHECK_FALSE(Compact(&env, o, &stats).ok());
    const RecMap after = testing::ReadRecords(&env, kDir, kSegmentBytes);
    CheckSubset(after, before);
    for (const auto& [offset, r] : testing::LatestPerKey(before, active.base, false)) {
      CHECK(after.count(offset) == 1);
    }
    // The next run finishes the job.
    REQUIRE(Compact(&env, Options(), &stats).ok());
    const RecMap done = testing::ReadRecords(&env, kDir, kSegmentBytes);
    CHECK(testing::Below(done, active.base) == testing::LatestPerKey(before, active.base, false));
  }
}

TEST_CASE("compactor and repair: a partition the topic does not have is NotFound") {
  io::MemEnv env;
  testing::WriteUpdates(&env, kDir, kSegmentBytes, 10, 2);
  const log::LogDir dir = testing::ParentLogDir(&env, kDir);
  maint::CompactStats stats;
  Status compact =
      maint::CompactPartition(dir, testing::TopicT(Config()), PartitionId(1), Options(), &stats);
  CHECK(compact.IsNotFound());
  CHECK(compact.message().find("partition 1 of topic 't' does not exist") != std::string::npos);
  maint::RepairReport report;
  CHECK(maint::RepairPartition(dir, testing::TopicT(), PartitionId(1), {}, &report).IsNotFound());
  CHECK_FALSE(env.FileExists("/kq/t-1"));
}

}  // namespace
}  // namespace kq
